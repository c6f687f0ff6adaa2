/*
 * The one place where nes-kafka-mock reaches into librdkafka internals:
 * rdkafka_mock.h has no setter for the partition count of auto-created
 * topics (fixed at 4). Compiled against the same configured source tree as
 * librdkafka.a (build.sh pins the version), and called before any client
 * can connect, so the mock thread never reads the field concurrently.
 */
#include "rdkafka_int.h"
#include "rdkafka_mock_int.h"

void nes_mock_set_default_partitions(rd_kafka_mock_cluster_t *mcluster, int cnt);

void nes_mock_set_default_partitions(rd_kafka_mock_cluster_t *mcluster, int cnt) {
        mcluster->defaults.partition_cnt = cnt;
}
