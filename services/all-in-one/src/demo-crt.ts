import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@nes/kit';

/** How long a demo CRT stays valid. */
const DEMO_VALIDITY_DAYS = 30;

/**
 * The single-machine default's demo Client Registration Token: created through
 * the registration service's admin API on the first start (once registration
 * answers /readyz), its MDM JSON kept in the runner's home (0600) so that later
 * starts print the same one. A CRT value is only ever returned once, so the
 * file is the only copy.
 */
export async function ensureDemoCrt(opts: {
  home: string;
  registrationUrl: string;
  adminApiKey: string;
  logger: Logger;
}): Promise<string | undefined> {
  const file = join(opts.home, 'demo-crt.json');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const log = opts.logger.child({ component: 'demo-crt' });
  if (!(await becomesReady(`${opts.registrationUrl}/readyz`, 60_000))) {
    log.warn('registration did not become ready; no demo CRT this time');
    return undefined;
  }
  const response = await fetch(`${opts.registrationUrl}/admin/v1/crts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${opts.adminApiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      title: `Demo devices (${new Date().toISOString().slice(0, 10)})`,
      expiresAt: new Date(Date.now() + DEMO_VALIDITY_DAYS * 86_400_000).toISOString(),
      details: 'Created by the all-in-one runner for trying NES on one machine.',
      maxClients: 0,
    }),
  });
  if (response.status !== 201) {
    log.warn({ status: response.status }, 'could not create the demo CRT');
    return undefined;
  }
  const created = (await response.json()) as { mdmConfiguration?: unknown };
  if (typeof created.mdmConfiguration !== 'string') return undefined;
  writeFileSync(file, `${created.mdmConfiguration}\n`, { mode: 0o600 });
  return created.mdmConfiguration;
}

/** Whether `url` (a /readyz) answers 2xx within `timeoutMs`. */
export async function becomesReady(url: string, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(250)) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok) return true;
    } catch {
      // not listening yet
    }
  }
  return false;
}
