import { parseArgs } from 'node:util';

/** What `nes-audit` was asked to do. */
export interface CliOptions {
  readonly command: 'tail' | 'query' | 'export';
  /** The telemetry service's base URL. */
  readonly url: string;
  /** An analyst API key or an access token with the analyst scope. */
  readonly key: string;
  /** Filter query parameters, as the API names them. */
  readonly filter: Readonly<Record<string, string>>;
  readonly limit: number | undefined;
  readonly format: 'ndjson' | 'csv';
  readonly all: boolean;
  readonly lastEventId: string | undefined;
  /** tail: stop after this many events. */
  readonly max: number | undefined;
}

export const USAGE = `usage: nes-audit <tail|query|export> [options]

  tail     follow new activity (Server-Sent Events); reconnects where it left off
  query    one page of activity, newest first (--all: every page)
  export   every matching row, oldest first, streamed (--format ndjson|csv)

filters:  --user DOMAIN\\\\name  --authenticator ID  --client ID  --host ID
          --type EVENT_TYPE  --severity Information|Warning|Error
          --from 2026-01-01T00:00:00Z  --to 2026-02-01T00:00:00Z
options:  --url URL (or NES_AUDIT_URL)  --key KEY (or NES_AUDIT_KEY; prefer the variable)
          --limit N  --format ndjson|csv  --all  --last-event-id ID  --max N
`;

/** Thrown for a command line that cannot run; the message is for the user. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const FILTERS = {
  user: 'user',
  authenticator: 'authenticator',
  client: 'client',
  host: 'host',
  type: 'eventType',
  severity: 'severity',
  from: 'from',
  to: 'to',
} as const;

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a positive integer`);
  return n;
}

/** Reads the command line and the NES_AUDIT_* environment. */
export function readCliOptions(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        key: { type: 'string' },
        limit: { type: 'string' },
        format: { type: 'string' },
        all: { type: 'boolean' },
        'last-event-id': { type: 'string' },
        max: { type: 'string' },
        ...Object.fromEntries(
          Object.keys(FILTERS).map((name) => [name, { type: 'string' as const }]),
        ),
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (command !== 'tail' && command !== 'query' && command !== 'export') {
    throw new UsageError(
      command === undefined ? 'a command is required' : `unknown command '${command}'`,
    );
  }
  const url = values.url ?? env.NES_AUDIT_URL;
  if (url === undefined || !URL.canParse(url)) {
    throw new UsageError('--url (or NES_AUDIT_URL) must be the telemetry service URL');
  }
  const key = values.key ?? env.NES_AUDIT_KEY;
  if (key === undefined || key === '') throw new UsageError('--key (or NES_AUDIT_KEY) is required');
  const format = values.format ?? 'ndjson';
  if (format !== 'ndjson' && format !== 'csv')
    throw new UsageError('--format must be ndjson or csv');
  const filter: Record<string, string> = {};
  for (const [flag, param] of Object.entries(FILTERS)) {
    const value = (values as Record<string, unknown>)[flag];
    if (typeof value === 'string') filter[param] = value;
  }
  return {
    command,
    url: url.replace(/\/+$/, ''),
    key,
    filter,
    limit: positiveInt('limit', values.limit),
    format,
    all: values.all ?? false,
    lastEventId: values['last-event-id'],
    max: positiveInt('max', values.max),
  };
}
