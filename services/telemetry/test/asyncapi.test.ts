import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { eventTypes, topics } from '@nes/proto';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildAsyncApiDocument } from '../scripts/asyncapi-document.js';

const FILE = fileURLToPath(new URL('../asyncapi.yaml', import.meta.url));
const committed = readFileSync(FILE, 'utf8');

describe('asyncapi.yaml', () => {
  it('is what proto/ generates (run `pnpm --filter @nes/telemetry asyncapi` after changing a .proto)', () => {
    expect(parse(committed)).toEqual(buildAsyncApiDocument());
  });

  it('is a valid AsyncAPI 3 document', async () => {
    const parser = new Parser();
    const { document, diagnostics } = await parser.parse(committed);
    const errors = diagnostics.filter(
      (d) => Number(d.severity) === Number(DiagnosticSeverity.Error),
    );
    expect(errors.map((e) => `${e.path.join('.')}: ${e.message}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    const addresses =
      document
        ?.channels()
        .all()
        .map((c) => c.address()) ?? [];
    for (const topic of Object.values(topics)) {
      expect(addresses).toContain(topic);
      expect(addresses).toContain(`${topic}.dlq`);
    }
    const names =
      document
        ?.messages()
        .all()
        .map((m) => m.name()) ?? [];
    expect([...new Set(names)].sort()).toEqual([...eventTypes].sort());
  });

  it('describes telemetry and every audited event on nes.audit.v1', () => {
    const doc = buildAsyncApiDocument() as {
      channels: Record<string, { address: string; messages: Record<string, unknown> }>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const audit = Object.values(doc.channels).find((c) => c.address === 'nes.audit.v1');
    expect(Object.keys(audit?.messages ?? {})).toEqual(
      expect.arrayContaining(['nesAuditTelemetryV1', 'nesClientCreatedV1', 'nesCrtRevokedV1']),
    );
    expect(Object.keys(audit?.messages ?? {})).not.toContain('nesDirectoryUserSyncedV1');
    const telemetry = doc.components.schemas['nes.telemetry.v1.TelemetryEvent'];
    expect(Object.keys(telemetry?.properties ?? {})).toEqual(
      expect.arrayContaining([
        'eventTime',
        'hostId',
        'authenticatorId',
        'clientEventId',
        'severity',
      ]),
    );
    expect(telemetry?.properties?.eventTime).toMatchObject({ type: 'string', format: 'date-time' });
  });
});
