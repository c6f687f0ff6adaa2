/*
 * nes-kafka-mock: a standalone Kafka-protocol broker for tests, built on
 * librdkafka's mock cluster. No Apache Kafka can run on the project's
 * machines, so integration tests talk to this instead (see INFRA.md).
 *
 * Usage: nes-kafka-mock [--brokers N] [--partitions N]
 *                       [--topic NAME[:PARTITIONS]]... [--group-delay-ms N]
 *
 * Prints the bootstrap servers on one stdout line, then serves until SIGTERM,
 * SIGINT or end of stdin (so it dies with the process that started it).
 * While running it reads commands on stdin, one per line, and answers each
 * with one line, "ok" or "error <reason>":
 *   down [BROKER_ID]   close all connections and refuse new ones (keeps port)
 *   up [BROKER_ID]     accept connections again
 *   topic NAME PARTS   create a topic (the mock has no CreateTopics API)
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "rdkafka.h"
#include "rdkafka_mock.h"

#define LEAVE_GROUP_API_KEY 13

/* In mock-defaults.c: the only place that touches librdkafka internals. */
void nes_mock_set_default_partitions(rd_kafka_mock_cluster_t *mcluster, int cnt);

static int parse_int(const char *s, int min, int max, const char *what) {
        char *end;
        long v;
        errno = 0;
        v     = strtol(s, &end, 10);
        if (errno || *s == '\0' || *end != '\0' || v < min || v > max) {
                fprintf(stderr, "nes-kafka-mock: %s must be %d..%d, got '%s'\n",
                        what, min, max, s);
                exit(2);
        }
        return (int)v;
}

static int replication(int brokers) {
        return brokers < 3 ? brokers : 3;
}

static void answer(rd_kafka_resp_err_t err) {
        if (err)
                printf("error %s\n", rd_kafka_err2str(err));
        else
                printf("ok\n");
        fflush(stdout);
}

/* Runs one stdin command; a malformed line gets an error answer, never exit. */
static void run_command(rd_kafka_mock_cluster_t *mc, char *line, int brokers) {
        char *cmd = strtok(line, " \t\r\n"), *a1 = strtok(NULL, " \t\r\n"),
             *a2 = strtok(NULL, " \t\r\n"), *end = NULL;
        long n   = a1 ? strtol(a1, &end, 10) : -1;
        if (!cmd) {
                printf("error empty command\n");
        } else if (!strcmp(cmd, "down") || !strcmp(cmd, "up")) {
                if (a1 && (*end || n < 1 || n > brokers)) {
                        printf("error no broker '%s'\n", a1);
                } else {
                        int32_t id = a1 ? (int32_t)n : -1;
                        answer(!strcmp(cmd, "down")
                                   ? rd_kafka_mock_broker_set_down(mc, id)
                                   : rd_kafka_mock_broker_set_up(mc, id));
                        return;
                }
        } else if (!strcmp(cmd, "topic") && a1 && a2) {
                long parts = strtol(a2, &end, 10);
                if (*end || parts < 1 || parts > 10000 || strlen(a1) > 249)
                        printf("error bad topic '%s' or partitions '%s'\n", a1, a2);
                else {
                        answer(rd_kafka_mock_topic_create(mc, a1, (int)parts,
                                                          replication(brokers)));
                        return;
                }
        } else {
                printf("error unknown command '%s'\n", cmd);
        }
        fflush(stdout);
}

int main(int argc, char **argv) {
        int brokers = 1, partitions = 4, delay_ms = 0, i;
        char errstr[512], buf[4096];
        size_t len = 0;
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        rd_kafka_t *rk;
        rd_kafka_mock_cluster_t *mc;
        sigset_t sigs;
        int sfd;

        for (i = 1; i < argc; i++) {
                const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
                if (!val) {
                        fprintf(stderr, "nes-kafka-mock: %s needs a value\n", opt);
                        return 2;
                }
                if (!strcmp(opt, "--brokers"))
                        brokers = parse_int(val, 1, 16, "--brokers");
                else if (!strcmp(opt, "--partitions"))
                        partitions = parse_int(val, 1, 10000, "--partitions");
                else if (!strcmp(opt, "--group-delay-ms"))
                        delay_ms = parse_int(val, 0, 60000, "--group-delay-ms");
                else if (strcmp(opt, "--topic")) {
                        fprintf(stderr, "nes-kafka-mock: unknown option %s\n", opt);
                        return 2;
                }
                i++;
        }

        /* Signals are read through a signalfd; block them before librdkafka
         * starts its threads so that none of those threads takes them. */
        sigemptyset(&sigs);
        sigaddset(&sigs, SIGTERM);
        sigaddset(&sigs, SIGINT);
        sigaddset(&sigs, SIGPIPE);
        sigprocmask(SIG_BLOCK, &sigs, NULL);
        sfd = signalfd(-1, &sigs, SFD_CLOEXEC);

        rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof(errstr));
        if (!(rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr)))) {
                fprintf(stderr, "nes-kafka-mock: %s\n", errstr);
                return 1;
        }
        if (!(mc = rd_kafka_mock_cluster_new(rk, brokers))) {
                fprintf(stderr, "nes-kafka-mock: cannot create mock cluster\n");
                return 1;
        }
        /* Brokers are numbered from 1; kafkajs' idempotent producer needs the
         * reported controller to be one of them. */
        rd_kafka_mock_set_controller_id(mc, 1);
        rd_kafka_mock_group_initial_rebalance_delay_ms(mc, delay_ms);
        /* kafkajs cannot decode LeaveGroup v3+ responses. */
        rd_kafka_mock_set_apiversion(mc, LEAVE_GROUP_API_KEY, 0, 2);
        nes_mock_set_default_partitions(mc, partitions);

        for (i = 1; i + 1 < argc; i += 2) {
                char *name, *colon;
                int cnt = partitions;
                if (strcmp(argv[i], "--topic"))
                        continue;
                name  = argv[i + 1];
                colon = strrchr(name, ':');
                if (colon) {
                        *colon = '\0';
                        cnt    = parse_int(colon + 1, 1, 10000, "topic partitions");
                }
                if (!*name || strlen(name) > 249 ||
                    rd_kafka_mock_topic_create(mc, name, cnt, replication(brokers))) {
                        fprintf(stderr, "nes-kafka-mock: cannot create topic '%s'\n", name);
                        return 2;
                }
        }

        printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
        fflush(stdout);

        for (;;) {
                struct pollfd fds[2] = {{.fd = sfd, .events = POLLIN},
                                        {.fd = STDIN_FILENO, .events = POLLIN}};
                if (poll(fds, 2, -1) < 0 && errno != EINTR)
                        break;
                if (fds[0].revents)
                        break; /* SIGTERM or SIGINT */
                if (fds[1].revents) {
                        char *nl;
                        ssize_t r = read(STDIN_FILENO, buf + len, sizeof(buf) - 1 - len);
                        if (r <= 0)
                                break; /* parent gone: stdin closed */
                        len += (size_t)r;
                        while ((nl = memchr(buf, '\n', len))) {
                                size_t used = (size_t)(nl - buf) + 1;
                                *nl         = '\0';
                                run_command(mc, buf, brokers);
                                memmove(buf, buf + used, len - used);
                                len -= used;
                        }
                        if (len == sizeof(buf) - 1)
                                len = 0; /* an overlong line is dropped */
                }
        }

        rd_kafka_mock_cluster_destroy(mc);
        rd_kafka_destroy(rk);
        return 0;
}
