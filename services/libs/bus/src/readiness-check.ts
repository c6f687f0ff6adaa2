import type { EventBus } from './event-bus.js';

/**
 * Adapts a bus to a readiness registry's check signature (`@nes/kit`'s
 * `ReadinessCheck`): resolves when ready, throws an error listing what is
 * not. The bus bounds its own probe time; `signal` is accepted for the
 * registry's sake and checked before probing.
 */
export function busReadinessCheck(
  bus: Pick<EventBus, 'readiness'>,
): (signal?: AbortSignal) => Promise<void> {
  return async (signal) => {
    signal?.throwIfAborted();
    const { ready, details } = await bus.readiness();
    if (ready) return;
    const reasons = Object.entries(details).map(([part, state]) => `${part}: ${state}`);
    throw new Error(`event bus not ready (${reasons.join('; ')})`);
  };
}
