import { randomBytes } from 'node:crypto';
import kafkajs from 'kafkajs';

/**
 * Android ids (the events' key) that land one on each of `partitions`
 * partitions of nes.audit.v1, as the bus' partitioner (Kafka's default)
 * places them: one device per partition, for tests and benchmarks that must
 * spread load evenly.
 */
export function androidIdsOnePerPartition(partitions: number): string[] {
  const partitioner = kafkajs.Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }));
  const byPartition = new Map<number, string>();
  while (byPartition.size < partitions) {
    const key = `a${randomBytes(7).toString('hex')}`;
    const partition = partitioner({
      topic: 'nes.audit.v1',
      partitionMetadata,
      message: { key, value: null },
    });
    if (!byPartition.has(partition)) byPartition.set(partition, key);
  }
  return [...byPartition.values()];
}
