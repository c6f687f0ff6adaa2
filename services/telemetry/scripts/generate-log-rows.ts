/**
 * Fills telemetry.log with N synthetic rows (default 10,000,000) and prints
 * EXPLAIN (ANALYZE, BUFFERS) of the analysts' queries — the plans in the
 * README come from here. Not part of the test suite (it takes minutes).
 *
 *   pnpm --filter @nes/telemetry generate-rows                 # a throwaway local Postgres
 *   pnpm --filter @nes/telemetry generate-rows -- --url postgres://… --rows 1000000
 *
 * Distribution: 5,000 users, 20,000 bands (a tenth of the events also name a
 * secondary authenticator), 3,000 devices (host and client), 8 event types,
 * 90 days of recorded times; rows are generated inside Postgres in chunks.
 */
import { parseArgs } from 'node:util';
import { OUTBOX_MIGRATIONS_DIR } from '@nes/bus';
import { createLogger, runMigrations } from '@nes/kit';
import { createTestDatabase, parseInfraConfig, startInfra, stopInfra } from '@nes/testing';
import pg from 'pg';
import { logPageQuery } from '../src/db/log-queries.ts';
import type { LogFilter } from '../src/domain/log-filter.ts';
import { MIGRATIONS_DIR, SCHEMA } from '../src/infrastructure.ts';

const { values } = parseArgs({
  options: { url: { type: 'string' }, rows: { type: 'string' }, chunk: { type: 'string' } },
});
const total = Number(values.rows ?? 10_000_000);
const chunk = Number(values.chunk ?? 500_000);

const INSERT = `
INSERT INTO telemetry.log (event_id, "timestamp", severity, level, message, exception, source,
  service_name, attributes, client_ip, event_type, event_time, user_id, authenticator_id,
  secondary_authenticator_id, host_id, client_id, created_at, modified_at)
SELECT gen_random_uuid(), t.ts,
       CASE WHEN g % 50 = 0 THEN 'Error' WHEN g % 10 = 0 THEN 'Warning' ELSE 'Information' END,
       'Information', 'User authenticated with a tap',
       CASE WHEN g % 50 = 0 THEN 'java.lang.IllegalStateException: band lost' END,
       'TapService', 'nes/telemetry',
       jsonb_build_object('EventType', t.event_type, 'EventTime', t.ts, 'Category', 'Audit',
         'SubCategory', 'Authentication', 'Producer', 'NCA', 'ProducerVersion', '3.0.1',
         'OSType', 'Android 14', 'HostId', t.host, 'HostName', 'SM-M315F', 'ClientId', t.client,
         'ClientName', 'SN-' || t.d, 'AppName', 'Nymi Connect', 'UserId', t.usr,
         'AuthenticatorId', t.band, 'AppProcessName', 'chrome.exe',
         'AppURL', 'https://intranet.example.com/login', 'AppWinTitle', 'Sign in',
         'TotalElapsedTime', 800 + g % 400, 'Details', 'autofill'),
       '10.0.0.1'::inet + (g % 3000)::int, t.event_type, t.ts, t.usr, t.band,
       CASE WHEN g % 10 = 0 THEN 'NFC_' || lpad(to_hex((g * 7) % 20000), 10, '0') END,
       t.host, t.client, t.ts + interval '300 milliseconds', t.ts + interval '300 milliseconds'
  FROM generate_series($1::bigint, $2::bigint) AS g,
  LATERAL (SELECT
    timestamptz '2026-09-01 00:00:00+00' + (g::double precision / $3) * interval '90 days' AS ts,
    'NES\\user' || ((g * 2654435761) % 5000) AS usr,
    'BLE_MAC_00:1A:' || upper(lpad(to_hex(((g * 40503) % 20000) / 256), 2, '0')) || ':'
      || upper(lpad(to_hex(((g * 40503) % 20000) % 256), 2, '0')) || ':71:13' AS band,
    (g * 97) % 3000 AS d,
    'host-' || ((g * 97) % 3000) AS host,
    'client-' || ((g * 97) % 3000) AS client,
    (ARRAY['TapAuthentication','TapAuthentication','TapAuthentication','PasswordAutofill',
           'PasswordChange','Registration','TokenRefresh','Logout'])[1 + g % 8] AS event_type) t`;

/** The API's own queries (the same SQL text as the routes run). */
const QUERIES: { title: string; filter: LogFilter; cursorFromFirstPage?: boolean }[] = [
  {
    title: 'activity of one user, newest first (first page of 100)',
    filter: { user: 'NES\\user42' },
  },
  {
    title: 'the same user, next page (keyset cursor)',
    filter: { user: 'NES\\user42' },
    cursorFromFirstPage: true,
  },
  {
    title: 'one band, as primary or secondary authenticator',
    filter: { authenticator: 'BLE_MAC_00:1A:00:2A:71:13' },
  },
  { title: 'one device (host id)', filter: { host: 'host-1234' } },
  {
    title: 'one client in a time range',
    filter: {
      client: 'client-77',
      from: new Date('2026-10-01T00:00:00Z'),
      to: new Date('2026-10-08T00:00:00Z'),
    },
  },
  {
    title: 'one event type in a day',
    filter: {
      eventType: 'PasswordChange',
      from: new Date('2026-10-15T00:00:00Z'),
      to: new Date('2026-10-16T00:00:00Z'),
    },
  },
  {
    title: 'everything in an hour',
    filter: { from: new Date('2026-11-01T10:00:00Z'), to: new Date('2026-11-01T11:00:00Z') },
  },
];

async function main(): Promise<void> {
  let url = values.url;
  let started = false;
  if (url === undefined) {
    const infra = await startInfra({
      config: parseInfraConfig({ NES_TEST_INFRA: 'local', NES_TEST_COMPONENTS: 'postgres' }),
    });
    started = true;
    url = (await createTestDatabase('tel_10m', infra.postgres?.url)).url;
  }
  const logger = createLogger({ service: 'generate-rows', level: 'warn' });
  await runMigrations({
    url,
    schema: SCHEMA,
    dirs: [MIGRATIONS_DIR, OUTBOX_MIGRATIONS_DIR],
    logger,
  });
  const pool = new pg.Pool({
    connectionString: url,
    max: 2,
    options: '-c search_path=telemetry -c synchronous_commit=off -c maintenance_work_mem=1GB',
  });
  try {
    const t0 = performance.now();
    // Bulk load without the secondary indexes, then build them (sorted builds
    // are far faster than millions of random index inserts).
    const { rows: indexes } = await pool.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'telemetry' AND tablename = 'log' AND indexname <> 'log_pkey'`,
    );
    for (const index of indexes) await pool.query(`DROP INDEX telemetry.${index.indexname}`);
    for (let from = 1; from <= total; from += chunk) {
      const to = Math.min(total, from + chunk - 1);
      await pool.query(INSERT, [from, to, total]);
      process.stderr.write(`  ${to} rows (${Math.round((performance.now() - t0) / 1000)} s)\n`);
    }
    for (const index of indexes) {
      await pool.query(index.indexdef);
      process.stderr.write(
        `  ${index.indexname} built (${Math.round((performance.now() - t0) / 1000)} s)\n`,
      );
    }
    await pool.query('VACUUM ANALYZE telemetry.log');
    const { rows: size } = await pool.query<{ rows: string; size: string }>(
      `SELECT count(*) AS rows, pg_size_pretty(pg_total_relation_size('telemetry.log')) AS size FROM telemetry.log`,
    );
    console.log(`telemetry.log: ${size[0]?.rows} rows, ${size[0]?.size} with indexes`);
    for (const query of QUERIES) {
      let { text, values: params } = logPageQuery(query.filter, undefined, 101);
      if (query.cursorFromFirstPage) {
        const first = await pool.query<{ micros: string; id: string }>(text, params);
        const last = first.rows[99];
        ({ text, values: params } = logPageQuery(
          query.filter,
          last === undefined ? undefined : { micros: last.micros, id: last.id },
          101,
        ));
      }
      await pool.query(text, params); // warm
      const plan = await pool.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${text}`,
        params,
      );
      console.log(`\n### ${query.title}\n`);
      console.log('```');
      console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
      console.log('```');
    }
  } finally {
    await pool.end();
    if (started) await stopInfra();
  }
}

await main();
