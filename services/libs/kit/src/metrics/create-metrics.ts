import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Options of {@link createMetrics}. */
export interface CreateMetricsOptions {
  /** Added as the `service` label to every metric of the registry. */
  readonly service: string;
  /** Collect Node's process metrics (CPU, memory, event loop lag, GC). Default true. */
  readonly defaultMetrics?: boolean;
}

/** What every metric helper takes. */
export interface MetricOptions<L extends string> {
  /** snake_case, with the unit as suffix (`_seconds`, `_total`, `_bytes`). */
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
}

/** A service's metrics: its own registry (served at /metrics) and helpers that register on it. */
export interface Metrics {
  readonly registry: Registry;
  counter<L extends string = never>(options: MetricOptions<L>): Counter<L>;
  gauge<L extends string = never>(options: MetricOptions<L>): Gauge<L>;
  histogram<L extends string = never>(
    options: MetricOptions<L> & { readonly buckets?: readonly number[] },
  ): Histogram<L>;
}

/** Latency buckets (seconds) fit for HTTP and gRPC calls: 5 ms … 10 s. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * A registry per service rather than prom-client's global one, so that the
 * all-in-one process can host several services without name clashes; every
 * metric carries the `service` label. Asking twice for the same name returns
 * the metric already registered (servers re-created in tests share it).
 */
export function createMetrics(options: CreateMetricsOptions): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  function existing<T>(name: string, kind: new (...args: never[]) => T): T | undefined {
    const found = registry.getSingleMetric(name);
    if (found === undefined) return undefined;
    if (found instanceof kind) return found;
    throw new TypeError(`metric '${name}' is already registered with another type`);
  }

  return {
    registry,
    counter<L extends string = never>(o: MetricOptions<L>): Counter<L> {
      return (
        existing<Counter<L>>(o.name, Counter) ??
        new Counter<L>({
          name: o.name,
          help: o.help,
          labelNames: o.labelNames ?? [],
          registers: [registry],
        })
      );
    },
    gauge<L extends string = never>(o: MetricOptions<L>): Gauge<L> {
      return (
        existing<Gauge<L>>(o.name, Gauge) ??
        new Gauge<L>({
          name: o.name,
          help: o.help,
          labelNames: o.labelNames ?? [],
          registers: [registry],
        })
      );
    },
    histogram<L extends string = never>(
      o: MetricOptions<L> & { readonly buckets?: readonly number[] },
    ): Histogram<L> {
      return (
        existing<Histogram<L>>(o.name, Histogram) ??
        new Histogram<L>({
          name: o.name,
          help: o.help,
          labelNames: o.labelNames ?? [],
          buckets: [...(o.buckets ?? LATENCY_BUCKETS)],
          registers: [registry],
        })
      );
    },
  };
}
