import {
  busSection,
  databaseSection,
  envBool,
  envEnum,
  envInt,
  envString,
  grpcSection,
  httpSection,
  logSection,
  parseConfig,
  secret,
  shutdownSection,
  type Env,
} from '@nes/kit';
import { FilterParser } from 'ldapts';
import { z } from 'zod';
import { envSites } from './config-sites.js';
import { isValidDn, normalizeDn } from './domain/dn.js';

export type { DcConfig, DcSecurity, SiteConfig } from './config-sites.js';

/** A DN, validated (RFC 4514). */
function envDn() {
  return envString({ max: 2048 }).refine(isValidDn, 'expected a distinguished name (RFC 4514)');
}

/** `;`-separated DNs (`;` never appears unescaped inside a DN). */
function envDnList() {
  return envString({ max: 16_384 }).transform((raw, ctx) => {
    const dns = raw
      .split(/(?<!\\);/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    const bad = dns.findIndex((dn) => !isValidDn(dn));
    if (dns.length === 0 || dns.length > 32 || bad >= 0) {
      ctx.addIssue({
        code: 'custom',
        message:
          bad >= 0
            ? `item ${bad + 1}: expected a distinguished name (RFC 4514)`
            : 'expected 1–32 DNs separated by ;',
      });
      return z.NEVER;
    }
    return dns;
  });
}

/** An LDAP filter in parentheses that parses (RFC 4515). */
function envFilter() {
  return envString({ max: 4096 }).refine((text) => {
    if (!text.startsWith('(') || !text.endsWith(')') || !balanced(text)) return false;
    try {
      FilterParser.parseString(text);
      return true;
    } catch {
      return false;
    }
  }, 'expected an LDAP filter in parentheses (RFC 4515)');
}

/** Parentheses balance (literal ones in values are escaped as \\28 / \\29). */
function balanced(filter: string): boolean {
  let depth = 0;
  for (const c of filter) {
    if (c === '(') depth += 1;
    else if (c === ')') depth -= 1;
    if (depth < 0) return false;
  }
  return depth === 0;
}

const adSection = z.object({
  sites: envSites(),
  /** NetBIOS name of the domain ("DOMAIN" in DOMAIN\user). */
  domain: envString({ max: 15 }).regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/,
    'expected a NetBIOS domain name',
  ),
  /** The service account: a DN or a UPN. */
  bindDn: envString({ max: 2048 }),
  bindPassword: secret(envString({ max: 1024 })),
  /** PEM CA bundle that DC certificates must chain to; required unless every DC is plain. */
  caFile: envString().optional(),
  baseDns: envDnList(),
  userFilter: envFilter().default('(&(objectCategory=person)(objectClass=user))'),
  /** When set, only (nested) members of this group are synced. */
  usersGroupDn: envDn().optional(),
  /** The NES administrators group (the console's sign-in group). */
  adminsGroupDn: envDn().optional(),
  pageSize: envInt({ min: 10, max: 5000 }).default(500),
  /** Service-account connections kept per DC. */
  poolSize: envInt({ min: 1, max: 64 }).default(4),
  connectTimeoutMs: envInt({ min: 100, max: 120_000 }).default(5_000),
  operationTimeoutMs: envInt({ min: 100, max: 600_000 }).default(15_000),
  healthIntervalMs: envInt({ min: 100, max: 3_600_000 }).default(15_000),
});

const schema = z.object({
  http: httpSection({ port: 8083 }),
  grpc: grpcSection({ port: 50063 }),
  database: databaseSection(),
  bus: busSection(),
  log: logSection(),
  shutdown: shutdownSection(),
  /** `ad` for Active Directory; `demo` for the file-based demo directory (never in production). */
  directory: z.object({ kind: envEnum(['ad', 'demo']) }),
  ad: adSection.optional(),
  demo: z.object({ file: envString().optional() }).optional(),
  sync: z.object({
    /** Incremental sync period per site (and time-driven state checks). */
    intervalMs: envInt({ min: 100, max: 3_600_000 }).default(15_000),
    /** Full resync period per site: reconciles anything incremental sync cannot see. */
    fullIntervalMs: envInt({ min: 60_000, max: 7 * 86_400_000 }).default(6 * 3_600_000),
    /** Run the sync loops (off: serve gRPC from another replica's projection). */
    enabled: envBool().default(true),
  }),
});

/** The AD part of the config. */
export type AdConfig = z.output<typeof adSection>;

/** The service's configuration: parsed once, passed down. */
export type Config = Omit<z.output<typeof schema>, 'directory' | 'ad' | 'demo'> & {
  readonly directory:
    | { readonly kind: 'ad'; readonly ad: AdConfig }
    | { readonly kind: 'demo'; readonly file: string | undefined };
};

/** The prefix of every variable this service reads. */
export const ENV_PREFIX = 'NES_DIR_';

/**
 * Reads the config from `env` (`NES_DIR_*`).
 *
 * @throws ConfigError naming every bad variable.
 */
export function loadConfig(env: Env): Config {
  const parsed = parseConfig(
    schema.superRefine((value, ctx) => {
      if (value.directory.kind === 'ad' && value.ad === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['ad', 'sites'],
          message: 'required when the directory kind is ad',
        });
      }
      if (value.directory.kind === 'demo' && value.ad !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['directory', 'kind'],
          message: 'NES_DIR_AD_* is set but the directory kind is demo',
        });
      }
      const ad = value.ad;
      if (
        ad &&
        ad.caFile === undefined &&
        ad.sites.some((s) => s.dcs.some((d) => d.security !== 'none'))
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['ad', 'caFile'],
          message: 'required for ldaps and starttls DCs',
        });
      }
      if (ad) {
        const bases = ad.baseDns.map(normalizeDn);
        if (new Set(bases).size !== bases.length) {
          ctx.addIssue({ code: 'custom', path: ['ad', 'baseDns'], message: 'duplicate base DN' });
        }
      }
    }),
    env,
    { prefix: ENV_PREFIX },
  );
  const { directory, ad, demo, ...rest } = parsed;
  return {
    ...rest,
    directory:
      directory.kind === 'ad' && ad ? { kind: 'ad', ad } : { kind: 'demo', file: demo?.file },
  };
}
