import {
  createGrpcClient,
  InvalidClientError,
  isAppError,
  TemporarilyUnavailableError,
  type ClientTlsFiles,
} from '@nes/kit';
import { healthV1, registrationV1 } from '@nes/proto';
import { z } from 'zod';

/** A client as the token service uses it, checked at the gRPC edge. */
export interface RegisteredClient {
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** The client's public JWKS (RFC 7591 `jwks`) as JSON text, or ''. */
  readonly jwks: string;
}

/** The registration service, as the token service calls it. */
export interface RegistrationApi {
  /**
   * Checks id and secret (constant time, on the registration side).
   * @throws InvalidClientError when unknown, deleted or wrong;
   *   TemporarilyUnavailableError when registration cannot answer.
   */
  authenticateClient(
    clientId: string,
    secret: string,
    requestId: string,
  ): Promise<RegisteredClient>;
  /**
   * An active client, or undefined when unknown or deleted.
   * @throws TemporarilyUnavailableError when registration cannot answer.
   */
  getClient(clientId: string, requestId: string): Promise<RegisteredClient | undefined>;
  /** Readiness: the registration service answers gRPC health checks as serving. */
  check(): Promise<void>;
  close(): void;
}

const clientMessage = z.object({
  clientId: z.string().min(1).max(128),
  scopes: z.array(z.string().min(1).max(128)).max(64),
  jwks: z.string().max(64 * 1024),
  status: z.literal(registrationV1.ClientStatus.ACTIVE),
});

/** Options of {@link createRegistrationApi}. */
export interface RegistrationApiOptions {
  readonly target: string;
  readonly deadlineMs: number;
  readonly tls?: ClientTlsFiles | undefined;
}

/**
 * Connects to the registration service's gRPC API (kit's client: deadline on
 * every call, errors mapped back to AppErrors).
 */
export async function createRegistrationApi(
  options: RegistrationApiOptions,
): Promise<RegistrationApi> {
  const grpcOptions = {
    deadlineMs: options.deadlineMs,
    ...(options.tls === undefined ? {} : { tls: options.tls }),
  };
  const registration = await createGrpcClient(
    registrationV1.RegistrationServiceClient,
    options.target,
    grpcOptions,
  );
  const health = await createGrpcClient(healthV1.HealthClient, options.target, grpcOptions);

  function unavailable(error: unknown): TemporarilyUnavailableError {
    return new TemporarilyUnavailableError('the registration service is unavailable', {
      cause: error,
    });
  }

  /** A deleted or malformed client in an answer is refused like an unknown one. */
  function checked(requested: string, client: registrationV1.Client | undefined): RegisteredClient {
    const parsed = clientMessage.safeParse(client);
    if (!parsed.success || parsed.data.clientId !== requested) {
      throw new InvalidClientError('client authentication failed');
    }
    return { clientId: parsed.data.clientId, scopes: parsed.data.scopes, jwks: parsed.data.jwks };
  }

  return {
    async authenticateClient(clientId, secret, requestId) {
      let response: registrationV1.AuthenticateClientResponse;
      try {
        response = await registration.authenticateClient(
          { clientId, clientSecret: secret },
          { requestId },
        );
      } catch (error) {
        if (isAppError(error) && (error.status === 401 || error.status === 404)) {
          throw new InvalidClientError('client authentication failed');
        }
        throw unavailable(error);
      }
      return checked(clientId, response.client);
    },

    async getClient(clientId, requestId) {
      let response: registrationV1.GetClientResponse;
      try {
        response = await registration.getClient({ clientId }, { requestId });
      } catch (error) {
        if (isAppError(error) && (error.status === 404 || error.status === 400)) return undefined;
        throw unavailable(error);
      }
      try {
        return checked(clientId, response.client);
      } catch {
        return undefined;
      }
    },

    async check() {
      const { status } = await health.check({ service: '' });
      if (status !== healthV1.HealthCheckResponse_ServingStatus.SERVING) {
        throw new Error(`registration service reports ${String(status)}`);
      }
    },

    close() {
      registration.close();
      health.close();
    },
  };
}
