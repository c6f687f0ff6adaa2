import pg from 'pg';
import { randomUUID } from 'node:crypto';
const c = new pg.Client({ connectionString: process.env.URL }); await c.connect();
await c.query(`DROP SCHEMA IF EXISTS exp4 CASCADE; CREATE SCHEMA exp4; SET search_path=exp4;
CREATE TABLE r1 (client_id text NOT NULL CHECK (char_length(client_id) BETWEEN 1 AND 128), client_event_id text NOT NULL CHECK (char_length(client_event_id) BETWEEN 1 AND 128), event_id uuid NOT NULL, received_at timestamptz NOT NULL, PRIMARY KEY (client_id, client_event_id));
CREATE INDEX ON r1 (received_at);
CREATE TABLE r2 (LIKE r1 INCLUDING ALL); DROP INDEX IF EXISTS r2_received_at_idx; 
CREATE TABLE r3 (LIKE r1 INCLUDING CONSTRAINTS); ALTER TABLE r3 ADD PRIMARY KEY (client_id, client_event_id); CREATE INDEX ON r3 USING brin (received_at);
CREATE TABLE r4 (LIKE r1 INCLUDING CONSTRAINTS); ALTER TABLE r4 ADD PRIMARY KEY (client_id, client_event_id);
`);
const N = 500, ROUNDS = 60;
async function time(label, fn) {
  for (let i = 0; i < 5; i++) await fn();
  const t0 = performance.now(); const u0 = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i++) await fn();
  const ms = (performance.now() - t0) / ROUNDS; const u = process.cpuUsage(u0);
  console.log(label.padEnd(40), (ms * 1000 / N).toFixed(1), 'us/event wall; node', ((u.user + u.system) / ROUNDS / N).toFixed(1));
}
const clients = Array.from({ length: 32 }, () => randomUUID());
let k = 0;
for (const t of ['r1', 'r3', 'r4', 'r1', 'r3', 'r4']) {
  await time(t, async () => { const cid = clients[k++ % 32]; await c.query(`INSERT INTO exp4.${t} (client_id, client_event_id, event_id, received_at) SELECT $1, r.a, r.b, $4 FROM unnest($2::text[], $3::uuid[]) r(a,b) ON CONFLICT (client_id, client_event_id) DO NOTHING RETURNING client_event_id`, [cid, Array.from({ length: N }, () => randomUUID()), Array.from({ length: N }, () => randomUUID()), new Date()]); });
}
const r = await c.query(`select relname, pg_relation_size(oid) from pg_class where relnamespace = 'exp4'::regnamespace order by 1`); console.log(r.rows.map(x => x.relname + '=' + x.pg_relation_size).join(' '));
await c.end();
