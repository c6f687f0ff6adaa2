import { enqueue } from '@nes/bus';
import { withTransaction } from '@nes/kit';
import type { RegistrationContext } from '../context.js';
import { CLIENT_NAME_MAX } from '../domain/client-name.js';
import { checkClientName } from '../domain/crt-rules.js';
import { decodeCursor, encodeCursor } from '../domain/cursor.js';
import * as queries from '../db/client-queries.js';
import type { ClientRow } from '../db/rows.js';
import { adminActor, clientEvent, clientUpdatedEvent, type ClientEventFacts } from '../events.js';
import type { AdminRequest } from './crts.js';
import { clientNotFound, isUuid } from './errors.js';

/** An administrator's request, with the address it came from (client events carry it). */
export interface AdminClientRequest extends AdminRequest {
  readonly clientIp: string;
}

function facts(
  context: RegistrationContext,
  request: AdminClientRequest,
  now: Date,
): ClientEventFacts {
  return {
    actor: adminActor(request.actor),
    now,
    traceparent: request.traceparent,
    clientIp: request.clientIp,
    serverHost: context.config.serverHost,
  };
}

/** A listed client. @throws NotFoundError `client_not_found` (also for deleted ones). */
export async function getClient(
  context: RegistrationContext,
  clientId: string,
): Promise<ClientRow> {
  const row = isUuid(clientId) ? await queries.findClient(context.pool, clientId) : undefined;
  if (!row) throw clientNotFound(clientId);
  return row;
}

/** One page of clients, newest first, optionally those registered with one CRT. */
export async function listClients(
  context: RegistrationContext,
  query: { cursor?: string | undefined; limit: number; crtId?: string | undefined },
): Promise<{ items: ClientRow[]; nextCursor: string | null }> {
  const filter = `clients:${query.crtId ?? 'all'}`;
  const afterSeq = decodeCursor(query.cursor, filter);
  const rows = await queries.listClients(context.pool, {
    limit: query.limit + 1,
    ...(afterSeq === undefined ? {} : { afterSeq }),
    ...(query.crtId === undefined ? {} : { crtId: query.crtId }),
  });
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.seq, filter) : null,
  };
}

/** Renames a client (the guide's Edit Client). Same name again: no change, no event. */
export async function renameClient(
  context: RegistrationContext,
  clientId: string,
  name: string,
  request: AdminClientRequest,
): Promise<ClientRow> {
  const checked = checkClientName(name, CLIENT_NAME_MAX);
  await getClient(context, clientId);
  const now = context.clock.now();
  const { row, changed } = await withTransaction(context.pool, async (tx) => {
    const before = await queries.findClient(tx, clientId, { forUpdate: true });
    if (!before) throw clientNotFound(clientId);
    if (before.name === checked) return { row: before, changed: false };
    const renamed = await queries.renameClient(tx, clientId, checked, request.actor, now);
    await enqueue(tx, clientUpdatedEvent(renamed, ['name'], facts(context, request, now)));
    return { row: renamed, changed: true };
  });
  if (changed) context.metrics.clientOperation('rename');
  return row;
}

/** Deletes a client: it can no longer authenticate; the row stays for audit. */
export async function deleteClient(
  context: RegistrationContext,
  clientId: string,
  request: AdminClientRequest,
): Promise<void> {
  await getClient(context, clientId);
  const now = context.clock.now();
  await withTransaction(context.pool, async (tx) => {
    const before = await queries.findClient(tx, clientId, { forUpdate: true });
    if (!before) throw clientNotFound(clientId);
    const deleted = await queries.deleteClient(tx, clientId, request.actor, now);
    await enqueue(tx, clientEvent('nes.client.deleted.v1', deleted, facts(context, request, now)));
  });
  context.metrics.clientOperation('delete');
}
