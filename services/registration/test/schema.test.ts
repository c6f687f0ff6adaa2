import { OUTBOX_MIGRATIONS_DIR } from '@nes/bus';
import { createLogger, runMigrations } from '@nes/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, SCHEMA } from '../src/create-service.js';
import { APP_SCOPES } from '../src/domain/scopes.js';
import { startTestService, type TestService } from './support/service.js';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(() => svc?.stop());

describe('the oauth schema', () => {
  it('holds exactly the scopes the service knows, with their audit codes', async () => {
    const { rows } = await svc.sql.query<{
      name: string;
      display_name: string;
      audit_code: number;
    }>('SELECT name, display_name, audit_code FROM app_scope ORDER BY name');
    expect(rows).toEqual(
      Object.entries(APP_SCOPES)
        .map(([name, scope]) => ({
          name,
          display_name: scope.displayName,
          audit_code: scope.auditCode,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  it('applies nothing on a second run (replicas may start together)', async () => {
    const applied = await runMigrations({
      url: svc.db.url,
      schema: SCHEMA,
      dirs: [MIGRATIONS_DIR, OUTBOX_MIGRATIONS_DIR],
      logger: createLogger({ service: 'test', level: 'silent' }),
    });
    expect(applied).toEqual([]);
  });

  it('indexes every foreign key', async () => {
    const { rows } = await svc.sql.query<{ constraint: string; indexed: boolean }>(`
      SELECT c.conname AS constraint,
             EXISTS (SELECT 1 FROM pg_index i
                      WHERE i.indrelid = c.conrelid
                        AND (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] = c.conkey) AS indexed
        FROM pg_constraint c
       WHERE c.contype = 'f' AND c.connamespace = 'oauth'::regnamespace`);
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(rows.filter((r) => !r.indexed)).toEqual([]);
  });
});
