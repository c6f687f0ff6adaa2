import { createEvent, type CloudEvent, type OutgoingEvent } from '../../src/index.js';

/** Type of the contract tests' events: data `{ seq }`, the position within its key. */
export const SEQUENCED_TYPE = 'nes.test.sequenced.v1';

/** One event per key, all at position `seq`. */
export function sequencedRound(
  topic: string,
  keys: readonly string[],
  seq: number,
): OutgoingEvent[] {
  return keys.map((key) =>
    createEvent({ topic, type: SEQUENCED_TYPE, source: 'nes/test', key, data: { seq } }),
  );
}

/** `count` events per key, interleaved across keys (round r holds seq r of every key). */
export function sequencedRounds(
  topic: string,
  keys: readonly string[],
  count: number,
): OutgoingEvent[][] {
  return Array.from({ length: count }, (_, seq) => sequencedRound(topic, keys, seq));
}

export function seqOf(event: CloudEvent): number {
  return (event.data as { seq: number }).seq;
}

/** Groups delivered (key, seq) pairs per key, keeping delivery order. */
export function byKey(deliveries: readonly { key: string; seq: number }[]): Map<string, number[]> {
  const map = new Map<string, number[]>();
  for (const { key, seq } of deliveries) map.set(key, [...(map.get(key) ?? []), seq]);
  return map;
}

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
