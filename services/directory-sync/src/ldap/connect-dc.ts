import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { Client } from 'ldapts';
import type { DcConfig } from '../config.js';
import { DcUnavailableError, reasonOf } from './ldap-errors.js';

/** What every connection to a DC needs. */
export interface ConnectSettings {
  /** CA certificates (PEM) the DC's certificate must chain to. */
  readonly ca: readonly Buffer[] | undefined;
  readonly connectTimeoutMs: number;
  /** Bound on every LDAP operation (ldapts drops the connection when it passes). */
  readonly operationTimeoutMs: number;
}

/**
 * Opens a connection to `dc` and finishes its TLS (LDAPS, or StartTLS on the
 * plain port) before returning, so that any failure up to here is a
 * {@link DcUnavailableError}, and any failure after it happened once a request
 * was on the wire. The certificate is verified against the CA by the DC's
 * host name (`servername`); TLS 1.2 at least.
 *
 * The socket is handed to ldapts, which gets it exactly once: ldapts would
 * otherwise reconnect silently after a drop, unauthenticated; here the
 * client then fails and the pool replaces it.
 */
export async function connectDc(dc: DcConfig, settings: ConnectSettings): Promise<Client> {
  const tls = (): ConnectionOptions => ({
    servername: dc.servername,
    minVersion: 'TLSv1.2',
    rejectUnauthorized: true,
    ...(settings.ca ? { ca: [...settings.ca] } : {}),
  });
  if (dc.security === 'ldaps') {
    const socket = await establish(dc, settings, () =>
      tlsConnect({ host: dc.host, port: dc.port, ...tls() }),
    );
    return clientOver(dc, settings, socket);
  }
  const socket = await establish(dc, settings, () => netConnect({ host: dc.host, port: dc.port }));
  const client = clientOver(dc, settings, socket);
  if (dc.security === 'starttls') {
    // A fresh options object each time: ldapts writes the socket into it.
    await withTimeout(dc, settings.connectTimeoutMs + settings.operationTimeoutMs, 'StartTLS', () =>
      client.startTLS(tls()),
    ).catch(async (error: unknown) => {
      socket.destroy();
      await client.unbind().catch(() => undefined);
      throw error instanceof DcUnavailableError
        ? error
        : new DcUnavailableError(dc.id, `StartTLS failed: ${reasonOf(error)}`, { cause: error });
    });
  }
  return client;
}

function clientOver(dc: DcConfig, settings: ConnectSettings, socket: Socket): Client {
  let handedOut = false;
  const once = (): Socket => {
    if (handedOut) throw new DcUnavailableError(dc.id, 'connection closed');
    handedOut = true;
    return socket;
  };
  const scheme = dc.security === 'ldaps' ? 'ldaps' : 'ldap';
  const host = dc.host.includes(':') ? `[${dc.host}]` : dc.host;
  return new Client({
    url: `${scheme}://${host}:${dc.port}`,
    timeout: settings.operationTimeoutMs,
    connectTimeout: settings.connectTimeoutMs,
    strictDN: true,
    // ldapts' factories are typed as net/tls connect; ours ignore the arguments.
    // StartTLS upgrades through createSecureConnection, so it keeps the default there.
    ...(dc.security === 'ldaps'
      ? { createSecureConnection: once as unknown as typeof tlsConnect }
      : { createConnection: once }),
  });
}

/** Waits until `open()`'s socket is connected (and its TLS handshake done), within the connect timeout. */
function establish<S extends Socket | TLSSocket>(
  dc: DcConfig,
  settings: ConnectSettings,
  open: () => S,
): Promise<S> {
  return new Promise<S>((resolve, reject) => {
    const socket = open();
    const ready = dc.security === 'ldaps' ? 'secureConnect' : 'connect';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new DcUnavailableError(dc.id, `no connection within ${settings.connectTimeoutMs} ms`));
    }, settings.connectTimeoutMs);
    socket.once(ready, () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      // Until ldapts attaches its own handler (it removes this one), an error
      // must not go unhandled; ldapts then sees the socket closed.
      socket.on('error', () => socket.destroy());
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new DcUnavailableError(dc.id, reasonOf(error), { cause: error }));
    });
  });
}

async function withTimeout<T>(
  dc: DcConfig,
  ms: number,
  what: string,
  run: () => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DcUnavailableError(dc.id, `${what} timed out after ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([run(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
