import type { StatePolicy } from './domain/account-state.js';
import type { AccountName } from './domain/account-name.js';
import type { PasswordCheck } from './domain/bind-outcome.js';
import type { ObservedAttributes } from './domain/observation.js';
import type { GroupInfo } from './domain/user-view.js';

/**
 * What the service needs from a directory, implemented by Active Directory
 * (ldap/) and by the file-based demo directory (demo/). Everything above
 * this interface — projection, events, gRPC — is the same for both.
 */
export interface DirectoryAdapter {
  readonly kind: 'ad' | 'demo';
  /** NetBIOS domain name ("DOMAIN" in DOMAIN\user). */
  readonly domain: string;
  /** Sites and their DCs, in failover order. */
  readonly sites: readonly { readonly name: string; readonly dcs: readonly string[] }[];
  /** Opens a sync session on the first DC of `site` that answers. @throws SiteUnavailableError */
  openSession(site: string): Promise<DirectorySession>;
  /**
   * Checks a password with one bind. Tries sites in `siteOrder` and each
   * site's DCs in order, moving on only when a DC could not be asked: once a
   * bind request was sent, its answer (or its loss) is final.
   *
   * @throws SiteUnavailableError when no DC could be asked;
   *   BindOutcomeUnknownError when the DC was lost after the bind was sent.
   */
  checkPassword(request: PasswordCheckRequest): Promise<PasswordCheckOutcome>;
  /** Health per DC, as last checked. */
  health(): readonly DcHealth[];
  /** Starts background health checks. */
  start(): void;
  close(): Promise<void>;
}

/** A password check to run. */
export interface PasswordCheckRequest {
  readonly account: AccountName;
  /** Never logged. Non-empty (an empty password would be an anonymous bind). */
  readonly password: string;
  /** Sites to try, most preferred first (the rest follow in configured order). */
  readonly siteOrder: readonly string[];
}

/** The answer of one password check. */
export interface PasswordCheckOutcome {
  readonly check: PasswordCheck;
  /** The DC that answered (the lookup's, for no_such_account). */
  readonly dc: string;
  readonly site: string;
  /** AD's sub-code of a failed bind ("52e"). */
  readonly subcode: string | undefined;
  /** objectGUID of the account the DC found. */
  readonly guid: string | undefined;
  /** pwdLastSet at the answering DC before the bind (null: must change, undefined: unknown). */
  readonly dcPwdLastSet: Date | null | undefined;
}

/** Health of one DC. */
export interface DcHealth {
  readonly site: string;
  readonly dc: string;
  readonly up: boolean;
  readonly checkedAt: Date | undefined;
  readonly error: string | undefined;
}

/** A user as a session reads it. */
export interface UserRecord {
  readonly guid: string;
  readonly usnChanged: bigint;
  readonly attributes: ObservedAttributes;
}

/** A user no longer served by this DC's view. */
export interface GoneUser {
  readonly guid: string;
  readonly usnChanged: bigint;
  readonly presence: 'deleted' | 'out_of_scope';
}

/** One step of a sync, applied by the sync engine in order. */
export type SyncItem =
  | { readonly kind: 'groups'; readonly groups: readonly GroupInfo[] }
  | { readonly kind: 'users'; readonly users: readonly UserRecord[] }
  | { readonly kind: 'gone'; readonly users: readonly GoneUser[] };

/** Receives sync items; resolves when the item is applied. */
export type SyncSink = (item: SyncItem) => Promise<void>;

/** What an incremental sync asks of NES' projection. */
export interface SyncHooks {
  /** GUIDs of users NES lists as direct members of any of these groups (DNs). */
  membersOf(groupDns: readonly string[]): Promise<string[]>;
  /** DNs NES knows for these group GUIDs (deleted groups). */
  groupDnsByGuid(guids: readonly string[]): Promise<string[]>;
}

/** A sync against one DC: its cursor identity and the reads a sync needs. */
export interface DirectorySession {
  readonly site: string;
  readonly dc: string;
  /**
   * Identity of the DC's database (AD invocationId). USNs compare only within
   * one identity: a cursor saved under another one forces a full sync.
   */
  readonly invocationId: string;
  /** highestCommittedUSN when the session opened: the cursor to save after success. */
  readonly highestUsn: bigint;
  readonly policy: StatePolicy;
  /** Every group, then every user in scope. */
  fullSync(sink: SyncSink): Promise<void>;
  /** Changes with afterUsn < uSNChanged <= highestUsn: groups, tombstones, users, memberships. */
  changesSince(afterUsn: bigint, hooks: SyncHooks, sink: SyncSink): Promise<void>;
  /** For users not seen in a full pass: tombstone, or still there out of scope. */
  classifyMissing(guids: readonly string[]): Promise<GoneUser[]>;
  close(): Promise<void>;
}

/** No DC of a site could be reached. */
export class SiteUnavailableError extends Error {
  override readonly name = 'SiteUnavailableError';
  readonly site: string;
  readonly reasons: readonly string[];
  constructor(site: string, reasons: readonly string[]) {
    super(`no DC of site '${site}' answered (${reasons.join('; ') || 'no DC configured'})`);
    this.site = site;
    this.reasons = reasons;
  }
}

/**
 * The connection to the DC was lost after the bind request was sent: the DC
 * may have counted a failed attempt, so the password is not tried elsewhere.
 */
export class BindOutcomeUnknownError extends Error {
  override readonly name = 'BindOutcomeUnknownError';
  readonly dc: string;
  constructor(dc: string, options?: { cause?: unknown }) {
    super(`the connection to DC ${dc} was lost during the bind; outcome unknown`, options);
    this.dc = dc;
  }
}
