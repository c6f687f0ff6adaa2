import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { waitUntil, withFreePort } from '../net.js';
import { requireCommand, startProcess } from '../process.js';
import type { StartedServer } from '../server.js';

/** Starts redis-server on a free 127.0.0.1 port, in memory only (no RDB, no AOF). */
export async function startLocalRedis(runDir: string): Promise<StartedServer<{ url: string }>> {
  const redisServer = requireCommand(
    'redis-server',
    'run scripts/setup.sh (installs Debian redis-server)',
  );
  requireCommand('setpriv', 'run scripts/setup.sh (installs Debian util-linux)');
  const dir = join(runDir, 'redis');
  await mkdir(dir);
  return withFreePort(async (port) => {
    const server = startProcess({
      name: 'redis-server',
      command: redisServer,
      args: [
        '--bind',
        '127.0.0.1',
        '--port',
        String(port),
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
    });
    try {
      await waitUntil(() => answersPing(port), {
        what: 'redis to answer PING',
        timeoutMs: 15_000,
        process: server,
      });
    } catch (error) {
      await server.stop('SIGKILL');
      throw error;
    }
    return {
      info: { url: `redis://127.0.0.1:${port}` },
      stop: async () => void (await server.stop('SIGTERM')),
    };
  });
}

/** Speaks just enough RESP to tell a live Redis from any other listener. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1000 });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
    socket.once('end', () => done(false));
  });
}
