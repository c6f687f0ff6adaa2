import type { Logger } from '@nes/kit';
import { InvalidCredentialsError, type Client } from 'ldapts';
import type { DcConfig } from '../config.js';
import { connectDc, type ConnectSettings } from './connect-dc.js';
import { DcUnavailableError, isConnectionFailure, reasonOf } from './ldap-errors.js';

/** The service account NES reads the directory with. */
export interface ServiceAccount {
  readonly bindDn: string;
  /** Never logged. */
  readonly password: string;
}

/** Options of {@link DcPool}. */
export interface DcPoolOptions {
  readonly dc: DcConfig;
  readonly settings: ConnectSettings;
  readonly account: ServiceAccount;
  readonly maxSize: number;
  readonly logger: Logger;
  /** Idle connections are closed after this long. Default 60 s. */
  readonly idleMs?: number;
  /**
   * After the DC refused the service account's password, no bind is tried
   * again for this long, so a wrong or rotated secret cannot lock the account
   * out through health checks and retries. Default 60 s.
   */
  readonly credentialBackoffMs?: number;
}

interface Idle {
  readonly client: Client;
  readonly since: number;
}

/**
 * Connections to one DC, bound as the service account, reused across
 * operations. A connection that fails at the transport level is dropped;
 * one that got an LDAP answer (even an error) goes back to the pool.
 */
export class DcPool {
  readonly dc: DcConfig;
  private readonly options: DcPoolOptions;
  private readonly logger: Logger;
  private idle: Idle[] = [];
  private open = 0;
  private waiters: ((client: Client | Error) => void)[] = [];
  private closed = false;
  private refusedUntil = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: DcPoolOptions) {
    this.options = options;
    this.dc = options.dc;
    this.logger = options.logger.child({ dc: options.dc.id });
    this.sweeper = setInterval(() => this.sweep(), 10_000);
    this.sweeper.unref();
  }

  /**
   * Runs `work` on a bound connection. Transport failures (and the pool being
   * unable to connect or bind) come out as {@link DcUnavailableError}; LDAP
   * answers come out as ldapts' result errors.
   */
  async use<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = await this.acquire();
    try {
      const result = await work(client);
      this.release(client);
      return result;
    } catch (error) {
      if (isConnectionFailure(error) || !client.isConnected) {
        this.discard(client);
        throw error instanceof DcUnavailableError
          ? error
          : new DcUnavailableError(this.dc.id, reasonOf(error), { cause: error });
      }
      this.release(client);
      throw error;
    }
  }

  /** Closes every connection; later calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const waiter of this.waiters.splice(0)) {
      waiter(new DcUnavailableError(this.dc.id, 'pool closed'));
    }
    const idle = this.idle.splice(0);
    await Promise.all(idle.map(({ client }) => client.unbind().catch(() => undefined)));
  }

  private async acquire(): Promise<Client> {
    if (this.closed) throw new DcUnavailableError(this.dc.id, 'pool closed');
    for (let item = this.idle.pop(); item; item = this.idle.pop()) {
      if (item.client.isBound) return item.client;
      this.discard(item.client);
    }
    if (this.open >= this.options.maxSize) {
      const next = await new Promise<Client | Error>((resolve) => this.waiters.push(resolve));
      if (next instanceof Error) throw next;
      return next;
    }
    this.open += 1;
    try {
      return await this.connect();
    } catch (error) {
      this.open -= 1;
      this.wakeOne();
      throw error;
    }
  }

  private async connect(): Promise<Client> {
    const now = Date.now();
    if (now < this.refusedUntil) {
      throw new DcUnavailableError(
        this.dc.id,
        `service account was refused; not retried before ${new Date(this.refusedUntil).toISOString()}`,
      );
    }
    const client = await connectDc(this.dc, this.options.settings);
    try {
      await client.bind(this.options.account.bindDn, this.options.account.password);
      return client;
    } catch (error) {
      await client.unbind().catch(() => undefined);
      if (error instanceof InvalidCredentialsError) {
        this.refusedUntil = Date.now() + (this.options.credentialBackoffMs ?? 60_000);
        this.logger.error(
          { reason: reasonOf(error) },
          'the DC refused the service account credentials; check NES_DIR_AD_BIND_DN/PASSWORD',
        );
      }
      throw new DcUnavailableError(this.dc.id, `service account bind failed: ${reasonOf(error)}`, {
        cause: error,
      });
    }
  }

  private release(client: Client): void {
    if (this.closed || !client.isBound) {
      this.discard(client);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter(client);
    else this.idle.push({ client, since: Date.now() });
  }

  private discard(client: Client): void {
    this.open = Math.max(0, this.open - 1);
    void client.unbind().catch(() => undefined);
    this.wakeOne();
  }

  /** Lets one waiter open a connection of its own in place of one that went away. */
  private wakeOne(): void {
    const waiter = this.waiters.shift();
    if (!waiter) return;
    this.open += 1;
    this.connect().then(waiter, (error: unknown) => {
      this.open -= 1;
      // The DC is not taking connections: fail every waiter rather than leave them queued.
      const failure = error instanceof Error ? error : new Error(String(error));
      for (const other of [waiter, ...this.waiters.splice(0)]) other(failure);
    });
  }

  private sweep(): void {
    const cutoff = Date.now() - (this.options.idleMs ?? 60_000);
    const keep: Idle[] = [];
    for (const item of this.idle) {
      if (item.since < cutoff || !item.client.isBound) this.discard(item.client);
      else keep.push(item);
    }
    this.idle = keep;
  }
}
