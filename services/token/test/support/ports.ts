import { once } from 'node:events';
import { createServer } from 'node:net';

/** A port that was free a moment ago (the issuer URL must name the real port). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Runs `start` on a port found free. The port is found, then bound by the
 * service (its public URL must name it), and another test worker may take it
 * in between: such a start is tried again on a fresh port, twice at most.
 */
export async function onFreePort<T>(start: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start(await freePort());
    } catch (error) {
      if (attempt >= 3 || (error as { code?: unknown }).code !== 'EADDRINUSE') throw error;
    }
  }
}
