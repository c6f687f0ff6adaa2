import { readFile } from 'node:fs/promises';
import { childLogger, type Logger } from '@nes/kit';
import type { Client } from 'ldapts';
import type { AdConfig, DcConfig, SiteConfig } from '../config.js';
import {
  SiteUnavailableError,
  type DcHealth,
  type DirectoryAdapter,
  type DirectorySession,
  type PasswordCheckOutcome,
  type PasswordCheckRequest,
} from '../directory-adapter.js';
import type { AccountName } from '../domain/account-name.js';
import { optionalFileTime } from '../domain/filetime.js';
import { guidFromBytes } from '../domain/guid-sid.js';
import { equals } from '../domain/ldap-filter.js';
import { AdSession, type SyncScope } from './ad-session.js';
import { entryBytes, entryText } from './ad-entry.js';
import { bindAs } from './bind-as-user.js';
import { connectDc, type ConnectSettings } from './connect-dc.js';
import { DcPool } from './dc-pool.js';
import { readRootDse, readSnapshot } from './dc-snapshot.js';
import { isConnectionFailure, reasonOf } from './ldap-errors.js';
import { scopeFilter } from './scope-filter.js';
import { searchAll } from './search.js';

/** Observers of the directory's work (Prometheus in production). */
export interface AdObservers {
  dcHealth?(site: string, dc: string, up: boolean): void;
}

interface DcState {
  readonly site: string;
  readonly pool: DcPool;
  health: DcHealth;
}

/**
 * Active Directory over LDAPS/StartTLS: one service-account pool per DC,
 * failover in configured order (DCs the health check found down go last),
 * background health checks, sync sessions and password checks.
 */
export class AdDirectory implements DirectoryAdapter {
  readonly kind = 'ad' as const;
  readonly domain: string;
  readonly sites: readonly { name: string; dcs: string[] }[];
  private readonly dcs = new Map<string, DcState>();
  private readonly siteConfigs: readonly SiteConfig[];
  private readonly logger: Logger;
  private healthTimer: NodeJS.Timeout | undefined;
  private healthRun: Promise<void> | undefined;
  private readonly config: AdConfig;
  private readonly settings: ConnectSettings;
  private readonly observers: AdObservers;

  private constructor(
    config: AdConfig,
    settings: ConnectSettings,
    logger: Logger,
    observers: AdObservers,
  ) {
    this.config = config;
    this.settings = settings;
    this.observers = observers;
    this.logger = childLogger(logger, 'ldap');
    this.domain = config.domain.toUpperCase();
    this.siteConfigs = config.sites;
    this.sites = config.sites.map((s) => ({ name: s.name, dcs: s.dcs.map((d) => d.id) }));
    for (const site of config.sites) {
      for (const dc of site.dcs) {
        if (dc.security === 'none') {
          this.logger.warn(
            { dc: dc.id },
            'plain LDAP configured: passwords cross the network in clear',
          );
        }
        const pool = new DcPool({
          dc,
          settings,
          account: { bindDn: config.bindDn, password: config.bindPassword },
          maxSize: config.poolSize,
          logger: this.logger,
        });
        this.dcs.set(dc.id, {
          site: site.name,
          pool,
          health: { site: site.name, dc: dc.id, up: true, checkedAt: undefined, error: undefined },
        });
      }
    }
  }

  /** Reads the CA file (failing at startup on a bad path) and builds the directory. */
  static async create(
    config: AdConfig,
    logger: Logger,
    observers: AdObservers = {},
  ): Promise<AdDirectory> {
    let ca: Buffer[] | undefined;
    if (config.caFile !== undefined) {
      try {
        ca = [await readFile(config.caFile)];
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
        throw new Error(`cannot read NES_DIR_AD_CA_FILE '${config.caFile}': ${reason}`, {
          cause: error,
        });
      }
    }
    return new AdDirectory(
      config,
      {
        ca,
        connectTimeoutMs: config.connectTimeoutMs,
        operationTimeoutMs: config.operationTimeoutMs,
      },
      logger,
      observers,
    );
  }

  start(): void {
    if (this.healthTimer) return;
    const run = () => {
      this.healthRun ??= this.checkHealth().finally(() => (this.healthRun = undefined));
    };
    run();
    this.healthTimer = setInterval(run, this.config.healthIntervalMs);
    this.healthTimer.unref();
  }

  health(): readonly DcHealth[] {
    return [...this.dcs.values()].map((s) => s.health);
  }

  /** Probes every DC now (rootDSE through the pool, so the service account must bind). */
  async checkHealth(): Promise<void> {
    await Promise.all(
      [...this.dcs.values()].map(async (state) => {
        try {
          await state.pool.use((client) => readRootDse(client));
          this.mark(state, undefined);
        } catch (error) {
          this.mark(state, error);
        }
      }),
    );
  }

  async openSession(site: string): Promise<DirectorySession> {
    const scope: SyncScope = {
      baseDns: this.config.baseDns,
      userFilter: this.config.userFilter,
      usersGroupDn: this.config.usersGroupDn,
      adminsGroupDn: this.config.adminsGroupDn,
      pageSize: this.config.pageSize,
      domain: this.domain,
    };
    const reasons: string[] = [];
    for (const state of this.ordered(site)) {
      try {
        const snapshot = await state.pool.use((client) => readSnapshot(client));
        this.mark(state, undefined);
        return new AdSession(
          site,
          state.pool,
          scope,
          snapshot,
          this.logger.child({ dc: state.pool.dc.id }),
        );
      } catch (error) {
        if (!isConnectionFailure(error)) throw error;
        this.mark(state, error);
        reasons.push(reasonOf(error));
      }
    }
    throw new SiteUnavailableError(site, reasons);
  }

  async checkPassword(request: PasswordCheckRequest): Promise<PasswordCheckOutcome> {
    if (request.password.length === 0)
      throw new TypeError('empty password: refuse it before asking');
    const siteNames = [
      ...request.siteOrder.filter((s) => this.siteConfigs.some((c) => c.name === s)),
      ...this.siteConfigs.map((s) => s.name).filter((s) => !request.siteOrder.includes(s)),
    ];
    const reasons: string[] = [];
    for (const site of siteNames) {
      for (const state of this.ordered(site)) {
        const dc = state.pool.dc;
        let account: FoundAccount | undefined;
        try {
          account = await state.pool.use((client) => this.findAccount(client, request.account));
        } catch (error) {
          if (!isConnectionFailure(error)) throw error;
          this.mark(state, error);
          reasons.push(reasonOf(error));
          continue;
        }
        const answered = {
          dc: dc.id,
          site,
          guid: account?.guid,
          dcPwdLastSet: account?.pwdLastSet,
        };
        if (!account) return { ...answered, check: 'no_such_account', subcode: undefined };
        let client: Client;
        try {
          client = await connectDc(dc, this.settings);
        } catch (error) {
          this.mark(state, error);
          reasons.push(reasonOf(error));
          continue;
        }
        const bound = await bindAs(client, dc, account.dn, request.password);
        if (bound === 'not_processed') {
          reasons.push(`${dc.id}: busy`);
          continue;
        }
        return { ...answered, check: bound.check, subcode: bound.subcode };
      }
    }
    throw new SiteUnavailableError(siteNames.join(','), reasons);
  }

  async close(): Promise<void> {
    if (this.healthTimer) clearInterval(this.healthTimer);
    await this.healthRun;
    await Promise.all([...this.dcs.values()].map((s) => s.pool.close()));
  }

  /** A site's DCs in configured order, the ones last found down at the end. */
  private ordered(site: string): DcState[] {
    const config = this.siteConfigs.find((s) => s.name === site);
    const states = (config?.dcs ?? []).flatMap((dc: DcConfig) => {
      const state = this.dcs.get(dc.id);
      return state ? [state] : [];
    });
    return [...states.filter((s) => s.health.up), ...states.filter((s) => !s.health.up)];
  }

  private mark(state: DcState, error: unknown): void {
    const up = error === undefined;
    if (state.health.up !== up) {
      if (up) this.logger.info({ dc: state.pool.dc.id, site: state.site }, 'DC is reachable again');
      else
        this.logger.warn(
          { dc: state.pool.dc.id, site: state.site, reason: reasonOf(error) },
          'DC unreachable',
        );
    }
    state.health = {
      site: state.site,
      dc: state.pool.dc.id,
      up,
      checkedAt: new Date(),
      error: up ? undefined : reasonOf(error),
    };
    this.observers.dcHealth?.(state.site, state.pool.dc.id, up);
  }

  /** Looks the account up in scope (service account): DN, GUID and pwdLastSet at this DC. */
  private async findAccount(
    client: Client,
    account: AccountName,
  ): Promise<FoundAccount | undefined> {
    if (account.kind === 'down_level' && account.domain !== this.domain) return undefined;
    const clause =
      account.kind === 'upn'
        ? equals('userPrincipalName', account.upn)
        : equals('sAMAccountName', account.samAccountName);
    const filter = scopeFilter(this.config, clause);
    const found: FoundAccount[] = [];
    for (const base of this.config.baseDns) {
      const entries = await searchAll(client, {
        base,
        filter,
        attributes: ['objectGUID', 'pwdLastSet'],
        binary: ['objectGUID'],
        pageSize: 10,
      });
      for (const entry of entries) {
        const guid = entryBytes(entry, 'objectGUID');
        found.push({
          dn: entry.dn,
          guid: guid?.length === 16 ? guidFromBytes(guid) : undefined,
          pwdLastSet: optionalFileTime(entryText(entry, 'pwdLastSet')) ?? null,
        });
      }
    }
    if (found.length > 1) {
      this.logger.warn(
        { matches: found.length },
        'account name matches several users; refusing to guess',
      );
      return undefined;
    }
    return found[0];
  }
}

interface FoundAccount {
  readonly dn: string;
  readonly guid: string | undefined;
  readonly pwdLastSet: Date | null;
}
