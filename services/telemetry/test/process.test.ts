import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call, deviceEvent, ingest } from './support/events.js';
import { ENTRY, spawnEntry, type ServiceProcess } from './support/process.js';
import { eventually, freePort, startStack, type TelemetryStack } from './support/stack.js';

let stack: TelemetryStack;
const running: ServiceProcess[] = [];

beforeAll(async () => {
  stack = await startStack({ projector: false });
});
afterEach(() => {
  for (const child of running.splice(0))
    if (child.child.exitCode === null) child.child.kill('SIGKILL');
});
afterAll(async () => {
  await stack?.stop();
});

function start(entry: string, env: Record<string, string>): ServiceProcess {
  const child = spawnEntry(entry, env);
  running.push(child);
  return child;
}

describe('configuration errors', () => {
  it('name every missing variable of the API process', async () => {
    const api = start(ENTRY.api, { NES_TEL_HTTP_PORT: 'eighty' });
    expect(await api.exited).toBe(1);
    const line = JSON.parse(api.stderr().trim().split('\n').at(-1) ?? '{}') as {
      msg: string;
      err: { message: string };
    };
    expect(line.msg).toBe('startup failed');
    for (const text of [
      'NES_TEL_DATABASE_URL: required',
      'NES_TEL_REDIS_URL: required',
      'NES_TEL_AUTH_ISSUER: required',
      'NES_TEL_REGISTRATION_GRPC_TARGET: required',
      "NES_TEL_HTTP_PORT: expected integer 1–65535, got 'eighty'",
    ]) {
      expect(line.err.message).toContain(text);
    }
  });

  it('name invalid variables without echoing secrets', async () => {
    const secretUrl = 'mysql://admin:hunter2-secret@db.example/nes';
    const api = start(ENTRY.api, {
      NES_TEL_DATABASE_URL: secretUrl,
      NES_TEL_REDIS_URL: 'redis://127.0.0.1:1',
      NES_TEL_AUTH_ISSUER: 'not a url',
      NES_TEL_REGISTRATION_GRPC_TARGET: 'registration',
      NES_TEL_ANALYSTS_API_KEYS: 'alice:nothex',
      NES_TEL_BUS_KIND: 'kafka',
      NES_TEL_INGEST_MAX_EVENTS: '0',
      NES_TEL_TYPO: '1',
    });
    expect(await api.exited).toBe(1);
    const output = api.stderr();
    for (const text of [
      'NES_TEL_DATABASE_URL: expected a postgres or postgresql URL',
      'NES_TEL_AUTH_ISSUER: expected a https or http URL',
      'NES_TEL_REGISTRATION_GRPC_TARGET: expected host:port',
      "NES_TEL_ANALYSTS_API_KEYS: item 1: the hash of 'alice' must be 64 hex digits",
      'NES_TEL_BUS_BROKERS: required when the bus kind is kafka',
      'NES_TEL_INGEST_MAX_EVENTS: expected integer 1–10000',
      'NES_TEL_TYPO: unknown variable',
    ]) {
      expect(output).toContain(text);
    }
    expect(output).not.toContain('hunter2');
    expect(output).not.toContain('nothex');
  });

  it('name the variables the projector process needs', async () => {
    const projector = start(ENTRY.projector, { NES_TEL_PROJECTOR_BATCH_SIZE: 'lots' });
    expect(await projector.exited).toBe(1);
    expect(projector.stderr()).toContain('NES_TEL_DATABASE_URL: required');
    expect(projector.stderr()).toContain(
      "NES_TEL_PROJECTOR_BATCH_SIZE: expected integer 1–20000, got 'lots'",
    );
    // The projector does not need the API's token issuer.
    expect(projector.stderr()).not.toContain('NES_TEL_AUTH_ISSUER');
  });
});

describe('logs', () => {
  it('never contain a token, key or secret', async () => {
    const device = await stack.registerDevice();
    expect((await ingest(stack.base, device.accessToken, [deviceEvent()])).status).toBe(202);
    await ingest(stack.base, `${device.accessToken}x`, [deviceEvent()]);
    await call(`${stack.base}/audit/v1/events?limit=1`, { token: stack.analystKey });
    await call(`${stack.base}/audit/v1/events?limit=1`, { token: 'nesaud_wrong-key' });
    const logs = stack.telemetryLogs.join('\n');
    expect(logs).toContain('"route":"/telemetry/v1/events"');
    for (const secret of [
      device.accessToken,
      stack.analystKey,
      device.clientSecret,
      'nesaud_wrong-key',
    ]) {
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toMatch(/"authorization":"Bearer/i);
  });
});

describe('the processes', () => {
  it('serve health, readiness and metrics, and stop cleanly on SIGTERM', async () => {
    const httpPort = await freePort();
    const projectorPort = await freePort();
    const env = {
      ...stack.env,
      NES_TEL_HTTP_PORT: String(httpPort),
      NES_TEL_PROJECTOR_HTTP_PORT: String(projectorPort),
      NES_TEL_LOG_LEVEL: 'info',
    };
    const api = start(ENTRY.api, env);
    const projector = start(ENTRY.projector, env);
    await api.waitFor('telemetry service started');
    await projector.waitFor('telemetry projector started');
    const base = `http://127.0.0.1:${httpPort}`;
    const ops = `http://127.0.0.1:${projectorPort}`;
    expect((await call(`${base}/healthz`)).status).toBe(200);
    await eventually(async () => expect((await call(`${base}/readyz`)).status).toBe(200));
    await eventually(async () => expect((await call(`${ops}/readyz`)).status).toBe(200));

    const device = await stack.registerDevice();
    expect((await ingest(base, device.accessToken, [deviceEvent(), deviceEvent()])).status).toBe(
      202,
    );
    await eventually(async () => {
      const metrics = (await call(`${base}/metrics`)).text;
      expect(metrics).toMatch(
        /nes_telemetry_ingested_events_total\{[^}]*outcome="accepted"[^}]*\} 2/,
      );
      expect(metrics).toContain('nes_telemetry_outbox_backlog');
    });
    await eventually(async () => {
      const metrics = (await call(`${ops}/metrics`)).text;
      expect(metrics).toMatch(/nes_telemetry_projected_rows_total\{[^}]*table="log"[^}]*\} [1-9]/);
      expect(metrics).toContain('nes_telemetry_projection_lag_seconds');
      expect(metrics).toContain('nes_telemetry_dead_lettered_total');
    });

    api.child.kill('SIGTERM');
    projector.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
    expect(await projector.exited).toBe(0);
    expect(api.stdout()).toContain('shutdown complete');
    expect(projector.stdout()).toContain('shutdown complete');
  });
});
