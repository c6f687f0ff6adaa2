import { describe, expect, it } from 'vitest';
import { createMetrics } from './create-metrics.js';

describe('createMetrics', () => {
  it('labels every metric with the service and keeps registries apart', async () => {
    const a = createMetrics({ service: 'registration', defaultMetrics: false });
    const b = createMetrics({ service: 'token', defaultMetrics: false });
    a.counter({ name: 'nes_crt_created_total', help: 'CRTs created', labelNames: ['scope'] }).inc({
      scope: 'nymi-connect',
    });
    const text = await a.registry.metrics();
    expect(text).toContain('nes_crt_created_total{scope="nymi-connect",service="registration"} 1');
    expect(await b.registry.metrics()).not.toContain('nes_crt_created_total');
  });

  it('returns the registered metric when asked twice and refuses a type clash', () => {
    const metrics = createMetrics({ service: 's', defaultMetrics: false });
    const first = metrics.histogram({ name: 'x_seconds', help: 'x' });
    expect(metrics.histogram({ name: 'x_seconds', help: 'x' })).toBe(first);
    expect(() => metrics.counter({ name: 'x_seconds', help: 'x' })).toThrow(/another type/);
  });

  it('collects process metrics by default', async () => {
    const metrics = createMetrics({ service: 's' });
    metrics.gauge({ name: 'g', help: 'g' }).set(1);
    expect(await metrics.registry.metrics()).toContain('process_cpu_user_seconds_total');
  });
});
