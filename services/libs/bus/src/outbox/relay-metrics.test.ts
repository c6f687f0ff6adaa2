import { createMetrics } from '@nes/kit';
import { describe, expect, it } from 'vitest';
import { outboxRelayMetrics } from './relay-metrics.js';

describe('outboxRelayMetrics', () => {
  it('exposes the relay observations under the service prefix', async () => {
    const metrics = createMetrics({ service: 'test', defaultMetrics: false });
    const relay = outboxRelayMetrics(metrics, { prefix: 'nes_test', destination: 'nes.audit.v1' });
    relay.backlog(7);
    relay.published(3, 12, 2_500);
    relay.failed(2);
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      '# HELP nes_test_outbox_published_total Outbox events published to nes.audit.v1',
    );
    expect(text).toMatch(/^nes_test_outbox_backlog\{service="test"\} 7$/m);
    expect(text).toMatch(/^nes_test_outbox_published_total\{service="test"\} 3$/m);
    expect(text).toMatch(/^nes_test_outbox_publish_failures_total\{service="test"\} 2$/m);
    expect(text).toMatch(/^nes_test_outbox_lag_seconds_sum\{service="test"\} 2.5$/m);
    expect(text).toMatch(/^nes_test_outbox_lag_seconds_bucket\{le="2.5",service="test"\} 1$/m);
    expect(text).toMatch(/^nes_test_outbox_lag_seconds_bucket\{le="1",service="test"\} 0$/m);
  });

  it('names the bus when no destination is given, and reuses metrics asked for twice', async () => {
    const metrics = createMetrics({ service: 'test', defaultMetrics: false });
    outboxRelayMetrics(metrics, { prefix: 'nes_test' }).published(1, 0, 0);
    outboxRelayMetrics(metrics, { prefix: 'nes_test' }).published(1, 0, 0);
    const text = await metrics.registry.metrics();
    expect(text).toContain('Outbox events published to the bus');
    expect(text).toMatch(/^nes_test_outbox_published_total\{service="test"\} 2$/m);
  });
});
