import { enqueue, type OutgoingEvent } from '@nes/bus';
import { withTransaction } from '@nes/kit';
import { accountState } from '../domain/account-state.js';
import { loadPolicy } from '../db/cursors.js';
import { lockDueForStateCheck, saveState } from '../db/users.js';
import type { ApplyContext } from './apply-changes.js';
import { saveMerged } from './apply-changes.js';

const BATCH = 200;

/**
 * Re-evaluates users whose state changes with time alone — a lockout that
 * runs out, an account or password reaching its expiry — which no directory
 * change announces (uSNChanged does not move). Emits the same events a sync
 * would. Safe on several replicas (rows are claimed with SKIP LOCKED).
 */
export async function runStateClock(ctx: ApplyContext): Promise<number> {
  const policy = await loadPolicy(ctx.pool, ctx.domain);
  let total = 0;
  for (;;) {
    const { done, events } = await withTransaction(ctx.pool, async (tx) => {
      const now = ctx.clock();
      const due = await lockDueForStateCheck(tx, now, BATCH);
      const events: OutgoingEvent[] = [];
      for (const user of due) {
        const next = accountState(
          { ...user.attributes, removed: user.removed !== null },
          policy,
          now,
        );
        if (next.state === user.state) {
          await saveState(tx, user.guid, next.state, next.changesAt);
          continue;
        }
        events.push(
          ...(await saveMerged(tx, ctx.domain, user, {
            ...user,
            state: next.state,
            stateChangesAt: next.changesAt,
          })),
        );
      }
      if (events.length > 0) await enqueue(tx, events);
      return { done: due.length, events };
    });
    ctx.onEvents?.(events);
    total += done;
    if (done < BATCH) return total;
  }
}
