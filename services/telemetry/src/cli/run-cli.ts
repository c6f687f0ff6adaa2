import type { Writable } from 'node:stream';
import type { CliOptions } from './config.js';

/** Where the CLI writes, and what stops it. */
export interface CliIo {
  readonly out: Writable;
  readonly err: Writable;
  readonly signal: AbortSignal;
}

/** Runs one command; resolves with the process exit code. */
export async function runCli(options: CliOptions, io: CliIo): Promise<number> {
  switch (options.command) {
    case 'query':
      return query(options, io);
    case 'export':
      return exportRows(options, io);
    case 'tail':
      return tail(options, io);
  }
}

function headers(options: CliOptions, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${options.key}`, ...extra };
}

function endpoint(options: CliOptions, path: string, params: Record<string, string>): string {
  const url = new URL(`${options.url}${path}`);
  for (const [name, value] of Object.entries({ ...options.filter, ...params })) {
    url.searchParams.set(name, value);
  }
  return url.toString();
}

/** Writes the API's problem details (or status) to stderr; returns the exit code. */
async function failed(response: Response, io: CliIo): Promise<number> {
  const text = await response.text();
  let detail = text.slice(0, 2000);
  try {
    const body = JSON.parse(text) as { detail?: string; code?: string; details?: unknown };
    detail = `${body.code ?? ''}: ${body.detail ?? ''}${body.details ? ` ${JSON.stringify(body.details)}` : ''}`;
  } catch {
    // Not JSON: print it as it came.
  }
  io.err.write(`nes-audit: HTTP ${response.status} ${detail}\n`);
  return response.status === 401 || response.status === 403 ? 3 : 1;
}

function write(io: CliIo, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    io.out.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

async function query(options: CliOptions, io: CliIo): Promise<number> {
  let cursor: string | undefined;
  do {
    const params: Record<string, string> = {};
    if (options.limit !== undefined) params.limit = String(options.limit);
    if (cursor !== undefined) params.cursor = cursor;
    const response = await fetch(endpoint(options, '/audit/v1/events', params), {
      headers: headers(options),
      signal: io.signal,
    });
    if (!response.ok) return failed(response, io);
    const page = (await response.json()) as { items: unknown[]; nextCursor: string | null };
    for (const item of page.items) await write(io, `${JSON.stringify(item)}\n`);
    cursor = page.nextCursor ?? undefined;
    if (!options.all && cursor !== undefined) io.err.write(`next cursor: ${cursor}\n`);
  } while (options.all && cursor !== undefined);
  return 0;
}

async function exportRows(options: CliOptions, io: CliIo): Promise<number> {
  const params: Record<string, string> = { format: options.format };
  if (options.limit !== undefined) params.limit = String(options.limit);
  const response = await fetch(endpoint(options, '/audit/v1/export', params), {
    headers: headers(options),
    signal: io.signal,
  });
  if (!response.ok || response.body === null) return failed(response, io);
  const decoder = new TextDecoder();
  for await (const chunk of response.body as AsyncIterable<Uint8Array>)
    await write(io, decoder.decode(chunk, { stream: true }));
  return 0;
}

/** One Server-Sent Event. */
interface SseEvent {
  readonly id: string | undefined;
  readonly event: string | undefined;
  readonly data: string;
}

/** Splits an SSE byte stream into events (WHATWG HTML §9.2 line rules, the subset NES sends). */
export async function* readSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let id: string | undefined;
  let event: string | undefined;
  let data: string[] = [];
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        yield { id, event, data: data.join('\n') };
        event = undefined;
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
  }
}

async function tail(options: CliOptions, io: CliIo): Promise<number> {
  let lastEventId = options.lastEventId;
  let printed = 0;
  let failures = 0;
  while (!io.signal.aborted) {
    try {
      const response = await fetch(endpoint(options, '/audit/v1/stream', {}), {
        headers: headers(options, {
          accept: 'text/event-stream',
          ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
        }),
        signal: io.signal,
      });
      if (response.status >= 400 && response.status < 500) return failed(response, io);
      if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status}`);
      failures = 0;
      for await (const message of readSse(response.body)) {
        if (message.id !== undefined) lastEventId = message.id;
        if (message.event !== 'telemetry' || message.data === '') continue;
        await write(io, `${message.data}\n`);
        printed += 1;
        if (options.max !== undefined && printed >= options.max) return 0;
      }
    } catch (error) {
      if (io.signal.aborted) break;
      failures += 1;
      io.err.write(
        `nes-audit: stream interrupted (${error instanceof Error ? error.message : String(error)}); resuming\n`,
      );
    }
    // The server closed the stream (shutdown, failover): resume after the last event seen.
    await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** failures, 10_000)));
  }
  return 0;
}
