import pg from 'pg';
import type { Logger } from 'pino';

import { backoffDelay, type BackoffPolicy } from '../backoff.js';
import { quoteIdentifier } from '../db/queryable.js';
import { sleep } from '../sleep.js';

/**
 * Cap on the reconnect back-off: reconnecting is what tells the partition
 * workers the database is back, so it should not lag far behind.
 */
const MAX_RETRY_MS = 5000;

/**
 * A dedicated connection LISTENing on the bus channel, reconnecting with
 * backoff when the database goes away. After every (re)connect it calls
 * `onReconnect`, since notifications sent while it was away are lost and
 * pollers should look for work at once.
 */
export class BusListener {
  private readonly abort = new AbortController();
  private client: pg.Client | undefined;
  private loop: Promise<void> | undefined;
  private readonly config: pg.ClientConfig;
  private readonly channel: string;
  private readonly handlers: {
    onNotify: (payload: string) => void;
    onReconnect: () => void;
  };
  private readonly backoff: BackoffPolicy;
  private readonly logger: Logger;

  constructor(
    config: pg.ClientConfig,
    channel: string,
    handlers: { onNotify: (payload: string) => void; onReconnect: () => void },
    backoff: BackoffPolicy,
    logger: Logger,
  ) {
    this.config = config;
    this.channel = channel;
    this.handlers = handlers;
    this.backoff = backoff;
    this.logger = logger;
  }

  /** Starts listening; resolves after the first connection attempt, whatever its outcome. */
  async start(): Promise<void> {
    if (this.loop !== undefined) return;
    let firstAttempt!: () => void;
    const attempted = new Promise<void>((resolve) => (firstAttempt = resolve));
    this.loop = this.run(firstAttempt);
    await attempted;
  }

  connected(): boolean {
    return this.client !== undefined;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.client?.end().catch(() => undefined);
    await this.loop;
  }

  private async run(attempted: () => void): Promise<void> {
    const { signal } = this.abort;
    let failures = 0;
    while (!signal.aborted) {
      const client = new pg.Client(this.config);
      const ended = new Promise<void>((resolve) => {
        client.on('error', (error) => {
          this.logger.warn({ err: error }, 'bus listener connection failed');
          resolve();
        });
        client.on('end', () => resolve());
      });
      try {
        await client.connect();
        client.on('notification', (message) => {
          if (message.channel === this.channel) this.handlers.onNotify(message.payload ?? '');
        });
        await client.query(`LISTEN ${quoteIdentifier(this.channel)}`);
        this.client = client;
        failures = 0;
        attempted();
        this.handlers.onReconnect();
        await Promise.race([
          ended,
          new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true })),
        ]);
      } catch (error) {
        this.logger.debug({ err: error }, 'bus listener cannot connect');
      }
      attempted();
      this.client = undefined;
      await client.end().catch(() => undefined);
      if (signal.aborted) break;
      failures += 1;
      await sleep(Math.min(backoffDelay(this.backoff, failures), MAX_RETRY_MS), signal);
    }
  }
}
