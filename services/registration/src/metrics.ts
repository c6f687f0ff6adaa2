import type { Metrics } from '@nes/kit';
import { outboxRelayMetrics, type RelayMetrics } from '@nes/bus';

/** How a registration attempt ended (label values of the registrations counter). */
export type RegistrationOutcome =
  | 'registered'
  | 'missing_token'
  | 'invalid_token'
  | 'expired'
  | 'revoked'
  | 'limit_reached'
  | 'invalid_metadata'
  | 'rate_limited'
  | 'error';

/** The registration service's business metrics. */
export interface RegistrationMetrics {
  registration(outcome: RegistrationOutcome): void;
  crtOperation(operation: 'create' | 'update' | 'revoke' | 'delete'): void;
  clientOperation(
    operation: 'rename' | 'delete' | 'update' | 'authenticate_ok' | 'authenticate_failed',
  ): void;
  /** Redis was down and a rate limit could not be checked (the request went ahead). */
  rateLimitUnavailable(): void;
  readonly relay: RelayMetrics;
}

/** Registers the service's metrics on its registry. */
export function createRegistrationMetrics(metrics: Metrics): RegistrationMetrics {
  const registrations = metrics.counter({
    name: 'nes_registration_registrations_total',
    help: 'Dynamic client registrations (RFC 7591) by outcome',
    labelNames: ['outcome'],
  });
  const crtOperations = metrics.counter({
    name: 'nes_registration_crt_operations_total',
    help: 'Client registration token operations by administrators',
    labelNames: ['operation'],
  });
  const clientOperations = metrics.counter({
    name: 'nes_registration_client_operations_total',
    help: 'Operations on registered clients (admin, RFC 7592, gRPC authentication)',
    labelNames: ['operation'],
  });
  const rateLimitDown = metrics.counter({
    name: 'nes_registration_rate_limit_unavailable_total',
    help: 'Requests let through because the rate limiter (Redis) could not be reached',
  });
  return {
    registration: (outcome) => registrations.inc({ outcome }),
    crtOperation: (operation) => crtOperations.inc({ operation }),
    clientOperation: (operation) => clientOperations.inc({ operation }),
    rateLimitUnavailable: () => rateLimitDown.inc(),
    relay: outboxRelayMetrics(metrics, { prefix: 'nes_registration' }),
  };
}
