import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { InfraMode } from './types.js';

/**
 * Picks the mode: an explicit `NES_TEST_INFRA` wins; otherwise containers when
 * a Docker engine answers (real Apache Kafka), local servers when not.
 */
export function resolveMode(requested: InfraMode | 'auto', dockerAnswers: boolean): InfraMode {
  if (requested !== 'auto') return requested;
  return dockerAnswers ? 'containers' : 'local';
}

/** Where a Docker engine may listen, most specific first. */
export function dockerEndpoints(dockerHost: string | undefined, home = homedir()): string[] {
  if (dockerHost) return [dockerHost];
  return [
    'unix:///var/run/docker.sock',
    `unix://${join(home, '.docker', 'run', 'docker.sock')}`,
    `unix://${join(home, '.colima', 'default', 'docker.sock')}`,
  ];
}

/**
 * True when a Docker engine answers `GET /_ping` within `timeoutMs` at any of
 * the endpoints. A socket file alone is not enough: a stopped Docker Desktop
 * leaves one behind.
 */
export async function dockerEngineAnswers(
  dockerHost: string | undefined,
  timeoutMs = 1500,
): Promise<boolean> {
  for (const endpoint of dockerEndpoints(dockerHost)) {
    if (await ping(endpoint, timeoutMs)) return true;
  }
  return false;
}

function ping(endpoint: string, timeoutMs: number): Promise<boolean> {
  let target: { socketPath: string } | { host: string; port: number };
  if (endpoint.startsWith('unix://')) {
    const socketPath = endpoint.slice('unix://'.length);
    if (!existsSync(socketPath)) return Promise.resolve(false);
    target = { socketPath };
  } else if (endpoint.startsWith('tcp://')) {
    // TLS engines (DOCKER_TLS_VERIFY) are left to testcontainers itself.
    const url = new URL(endpoint.replace(/^tcp:/, 'http:'));
    target = { host: url.hostname, port: Number(url.port || 2375) };
  } else {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
