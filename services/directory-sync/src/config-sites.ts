import { z } from 'zod';

/**
 * `NES_DIR_AD_SITES`: the AD sites and their domain controllers, as JSON.
 */

/** How a DC connection is protected. */
export type DcSecurity = 'ldaps' | 'starttls' | 'none';

/** One domain controller, as configured. */
export interface DcConfig {
  /** Unique id: `name`, else the certificate host name, else the URL's host. Cursors, metrics and responses use it. */
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly security: DcSecurity;
  /** Host name its certificate must carry (default: the URL's host). */
  readonly servername: string;
}

/** One AD site: its DCs in failover order. */
export interface SiteConfig {
  readonly name: string;
  readonly dcs: readonly DcConfig[];
}

const MAX_SITES = 32;
const MAX_DCS = 16;

const dcEntry = z
  .object({
    url: z.string().max(512),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'expected letters, digits, . _ -')
      .optional(),
    servername: z
      .string()
      .regex(/^[A-Za-z0-9.-]{1,253}$/, 'expected a DNS host name')
      .optional(),
    security: z.enum(['ldaps', 'starttls', 'none']).optional(),
  })
  .strict()
  .transform((dc, ctx): DcConfig => {
    const url = URL.canParse(dc.url) ? new URL(dc.url) : undefined;
    if (!url || (url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') || !url.hostname) {
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: 'expected an ldap:// or ldaps:// URL',
      });
      return z.NEVER;
    }
    if (url.pathname.replace(/^\//, '') !== '' || url.search !== '' || url.username !== '') {
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: 'expected scheme, host and port only',
      });
      return z.NEVER;
    }
    const scheme = url.protocol === 'ldaps:' ? 'ldaps' : 'starttls';
    const security = dc.security ?? scheme;
    if ((security === 'ldaps') !== (url.protocol === 'ldaps:')) {
      ctx.addIssue({
        code: 'custom',
        path: ['security'],
        message: `'${security}' does not fit a ${url.protocol}// URL`,
      });
      return z.NEVER;
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return {
      id: dc.name ?? dc.servername ?? host,
      host,
      port: url.port === '' ? (security === 'ldaps' ? 636 : 389) : Number(url.port),
      security,
      servername: dc.servername ?? host,
    };
  });

const sitesJson = z
  .array(
    z
      .object({
        name: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected letters, digits, . _ -'),
        dcs: z.array(dcEntry).min(1, 'a site needs at least one DC').max(MAX_DCS),
      })
      .strict(),
  )
  .min(1, 'at least one site')
  .max(MAX_SITES)
  .superRefine((sites, ctx) => {
    const names = new Set<string>();
    const ids = new Set<string>();
    sites.forEach((site, i) => {
      if (names.has(site.name.toLowerCase())) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'name'],
          message: `duplicate site '${site.name}'`,
        });
      }
      names.add(site.name.toLowerCase());
      site.dcs.forEach((dc, j) => {
        if (ids.has(dc.id.toLowerCase())) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'dcs', j],
            message: `duplicate DC '${dc.id}' (give one a "name")`,
          });
        }
        ids.add(dc.id.toLowerCase());
      });
    });
  });

/**
 * `NES_DIR_AD_SITES`: a JSON array of sites, each with its DCs in failover
 * order: `[{"name":"east","dcs":[{"url":"ldaps://dc1.east.example.com"}]}]`.
 * A DC's `security` defaults from the scheme (ldaps:// → ldaps, ldap:// →
 * starttls); plain LDAP needs `"security":"none"` written out.
 */
export function envSites() {
  return z.string({ error: 'required' }).transform((raw, ctx): SiteConfig[] => {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a JSON array of sites' });
      return z.NEVER;
    }
    const parsed = sitesJson.safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues.slice(0, 5)) {
        const where = issue.path.length > 0 ? `[${issue.path.map(String).join('].[')}] ` : '';
        ctx.addIssue({ code: 'custom', message: `${where}${issue.message}` });
      }
      return z.NEVER;
    }
    return parsed.data;
  });
}
