import type { ConnectionOptions } from 'node:tls';
import { Client } from 'ldapts';
import type { AdInfra } from '../types.js';

/**
 * TLS options that verify the DC against the run's CA by its host name. A
 * fresh object every call: ldapts' `startTLS()` stores a socket in the object
 * it is given, and a reused object makes later connections time out.
 */
export function adTlsOptions(ad: AdInfra): ConnectionOptions {
  return { ca: [ad.caCertPem], servername: ad.servername };
}

/** An LDAPS client for the DC (not yet bound), verifying its certificate. */
export function adLdapsClient(ad: AdInfra): Client {
  return new Client({
    url: ad.ldapsUrl,
    tlsOptions: adTlsOptions(ad),
    timeout: 15_000,
    connectTimeout: 5000,
  });
}

/**
 * Runs `work` with an LDAPS client bound as the domain administrator, then
 * unbinds, whatever happens.
 */
export async function withAdAdmin<T>(
  ad: AdInfra,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const client = adLdapsClient(ad);
  try {
    await client.bind(ad.adminDn, ad.adminPassword);
    return await work(client);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
