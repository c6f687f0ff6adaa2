import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { childLogger, type Logger } from '@nes/kit';
import type {
  DcHealth,
  DirectoryAdapter,
  DirectorySession,
  GoneUser,
  PasswordCheckOutcome,
  PasswordCheckRequest,
  SyncSink,
  UserRecord,
} from '../directory-adapter.js';
import { UAC } from '../domain/account-state.js';
import { escapeDnValue } from '../domain/dn.js';
import type { PasswordCheck } from '../domain/bind-outcome.js';
import type { GroupInfo } from '../domain/user-view.js';
import { demoFile, type DemoFile, type DemoUser } from './demo-file.js';
import { verifyPassword } from './password-hash.js';

/** The demo directory shipped with the package (users and passwords in README.md). */
export const BUNDLED_DEMO_FILE = fileURLToPath(
  new URL('../../demo/directory.json', import.meta.url),
);

const SITE = 'demo';
const DC = 'demo-file';

/**
 * A directory read from a JSON file, behind the same interface as Active
 * Directory: for the embedded single-machine default and demos only. It has
 * no replication, no lockout counting and no password policy beyond the
 * flags written in the file. NOT FOR PRODUCTION — the service only starts
 * with it when NES_DIR_DIRECTORY_KIND=demo says so, and warns.
 */
export class DemoDirectory implements DirectoryAdapter {
  readonly kind = 'demo' as const;
  readonly domain: string;
  readonly sites = [{ name: SITE, dcs: [DC] }];
  private readonly path: string;
  private file: DemoFile;
  private text: string;

  private constructor(path: string, file: DemoFile, text: string) {
    this.path = path;
    this.file = file;
    this.text = text;
    this.domain = file.domain;
  }

  /** Loads and checks the file (failing at startup when it is bad) and warns loudly. */
  static async load(path: string | undefined, logger: Logger): Promise<DemoDirectory> {
    const file = path ?? BUNDLED_DEMO_FILE;
    const { parsed, text } = await readDemoFile(file);
    childLogger(logger, 'demo-directory').warn(
      { file, users: parsed.users.length },
      'DEMO DIRECTORY IN USE — NOT FOR PRODUCTION: accounts and password hashes come from a local file',
    );
    return new DemoDirectory(file, parsed, text);
  }

  start(): void {}

  health(): readonly DcHealth[] {
    return [{ site: SITE, dc: DC, up: true, checkedAt: new Date(), error: undefined }];
  }

  async openSession(): Promise<DirectorySession> {
    // Re-read on every sync: an edited file is picked up by the next round.
    const { parsed, text } = await readDemoFile(this.path);
    this.file = parsed;
    this.text = text;
    return new DemoSession(parsed, createHash('sha256').update(text).digest('hex').slice(0, 32));
  }

  async checkPassword(request: PasswordCheckRequest): Promise<PasswordCheckOutcome> {
    if (request.password.length === 0)
      throw new TypeError('empty password: refuse it before asking');
    const { account } = request;
    const user = this.file.users.find((u) =>
      account.kind === 'upn'
        ? upnOf(this.file, u).toLowerCase() === account.upn.toLowerCase()
        : account.domain === this.file.domain &&
          u.samAccountName.toLowerCase() === account.samAccountName.toLowerCase(),
    );
    const base = { dc: DC, site: SITE, subcode: undefined };
    if (!user)
      return { ...base, check: 'no_such_account', guid: undefined, dcPwdLastSet: undefined };
    const check = await demoCheck(user, request.password);
    return {
      ...base,
      check,
      guid: user.guid,
      dcPwdLastSet: user.mustChangePassword ? null : user.pwdLastSet,
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The same precedence as AD: lockout first, then the password, then the account's flags. */
async function demoCheck(user: DemoUser, password: string): Promise<PasswordCheck> {
  if (user.locked) return 'account_locked';
  if (!(await verifyPassword(password, user.password))) return 'invalid_password';
  if (user.disabled) return 'account_disabled';
  if (user.accountExpires !== null && user.accountExpires.getTime() <= Date.now())
    return 'account_expired';
  if (user.mustChangePassword) return 'must_change';
  if (user.passwordExpired) return 'password_expired';
  return 'ok';
}

/** A sync of the demo file: every sync of a changed file is a full one (its hash is the identity). */
class DemoSession implements DirectorySession {
  readonly site = SITE;
  readonly dc = DC;
  readonly highestUsn = 1n;
  readonly policy = { lockoutDurationMs: null };

  readonly invocationId: string;
  private readonly file: DemoFile;

  constructor(file: DemoFile, invocationId: string) {
    this.file = file;
    this.invocationId = invocationId;
  }

  async fullSync(sink: SyncSink): Promise<void> {
    const groups: GroupInfo[] = this.file.groups.map((g) => ({
      guid: g.guid,
      distinguishedName: groupDn(this.file, g.name),
      name: g.name,
    }));
    await sink({ kind: 'groups', groups });
    await sink({ kind: 'users', users: this.file.users.map((u) => record(this.file, u)) });
  }

  changesSince(): Promise<void> {
    return Promise.resolve();
  }

  classifyMissing(guids: readonly string[]): Promise<GoneUser[]> {
    return Promise.resolve(
      guids.map((guid) => ({ guid, usnChanged: 1n, presence: 'deleted' as const })),
    );
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function readDemoFile(path: string): Promise<{ parsed: DemoFile; text: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new Error(`cannot read the demo directory file '${path}': ${reason}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`the demo directory file '${path}' is not JSON`);
  }
  const result = demoFile.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue ? issue.path.map(String).join('.') : '';
    throw new Error(
      `the demo directory file '${path}' is invalid: ${where}: ${issue?.message ?? ''}`,
    );
  }
  return { parsed: result.data, text };
}

function baseDn(file: DemoFile): string {
  return file.dnsDomain
    .split('.')
    .map((part) => `DC=${escapeDnValue(part)}`)
    .join(',');
}

function groupDn(file: DemoFile, name: string): string {
  return `CN=${escapeDnValue(name)},OU=Groups,${baseDn(file)}`;
}

function upnOf(file: DemoFile, user: DemoUser): string {
  return `${user.samAccountName}@${file.dnsDomain}`;
}

/** A synthetic SID from the GUID (stable across edits of the file). */
function sidOf(user: DemoUser): string {
  return `S-1-5-21-1000-2000-3000-${Number.parseInt(user.guid.slice(0, 7), 16) + 1000}`;
}

function record(file: DemoFile, user: DemoUser): UserRecord {
  return {
    guid: user.guid,
    usnChanged: 1n,
    attributes: {
      sid: sidOf(user),
      domain: file.domain,
      samAccountName: user.samAccountName,
      upn: upnOf(file, user),
      displayName: user.displayName,
      distinguishedName: `CN=${escapeDnValue(user.samAccountName)},OU=Users,${baseDn(file)}`,
      mail: user.mail,
      groupDns: user.groups.map((g) => groupDn(file, g)).sort(),
      userAccountControl: UAC.NORMAL_ACCOUNT | (user.disabled ? UAC.ACCOUNTDISABLE : 0),
      userAccountControlComputed:
        (user.locked ? UAC.LOCKOUT : 0) | (user.passwordExpired ? UAC.PASSWORD_EXPIRED : 0),
      accountExpires: user.accountExpires,
      lockoutTime: user.locked ? user.pwdLastSet : null,
      pwdLastSet: user.mustChangePassword ? null : user.pwdLastSet,
      passwordExpiresAt: null,
      stamps: undefined,
    },
  };
}
