import type { Logger } from '@nes/kit';
import type pg from 'pg';
import type { DirectoryAdapter } from './directory-adapter.js';
import type { DirectoryMetrics } from './metrics.js';

/** The explicit bag of dependencies the service's handlers and jobs take. */
export interface ServiceContext {
  /** The service's pool (search_path = directory). */
  readonly pool: pg.Pool;
  readonly directory: DirectoryAdapter;
  readonly logger: Logger;
  readonly metrics: DirectoryMetrics;
  readonly clock: () => Date;
}
