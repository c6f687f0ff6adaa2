import {
  Metadata,
  type ChannelCredentials,
  type Client,
  type ClientDuplexStream,
  type ClientOptions,
  type ClientReadableStream,
  type ClientWritableStream,
} from '@grpc/grpc-js';
import type { AppError } from '../errors/app-error.js';
import { REQUEST_ID_HEADER } from '../http/request-id.js';
import { appErrorFromServiceError } from './call-status.js';
import type { GrpcMethod, GrpcServiceDefinition, RequestOf, ResponseOf } from './service-types.js';
import { loadClientCredentials, type ClientTlsFiles } from './tls.js';

/** Per-call options. */
export interface GrpcCallOptions {
  /** Overrides the client's default deadline for this call. */
  readonly deadlineMs?: number;
  /** Sent as `x-request-id`, so both sides log the same id. */
  readonly requestId?: string;
  /** Sent as `traceparent`. */
  readonly traceparent?: string;
  /** Extra metadata (copied; the request id and traceparent are added to the copy). */
  readonly metadata?: Metadata;
  /** Cancels the call. */
  readonly signal?: AbortSignal;
}

/** A unary call: resolves with the response or rejects with an AppError. */
type UnaryCall<M> = (request: RequestOf<M>, options?: GrpcCallOptions) => Promise<ResponseOf<M>>;
/** A server-streaming call: iterate the responses; a failure throws an AppError. */
type ServerStreamCall<M> = (
  request: RequestOf<M>,
  options?: GrpcCallOptions,
) => AsyncIterable<ResponseOf<M>>;
/** Client streaming: write requests, end the stream, await `response`. */
type ClientStreamCall<M> = (options?: GrpcCallOptions) => {
  readonly stream: ClientWritableStream<RequestOf<M>>;
  readonly response: Promise<ResponseOf<M>>;
};
/** Bidirectional: the grpc-js stream; map its errors with `appErrorFromServiceError`. */
type BidiStreamCall<M> = (
  options?: GrpcCallOptions,
) => ClientDuplexStream<RequestOf<M>, ResponseOf<M>>;

/** The client-side function for method `M`, by its streaming flags. */
export type ClientMethodFor<M extends GrpcMethod> = M['requestStream'] extends true
  ? M['responseStream'] extends true
    ? BidiStreamCall<M>
    : ClientStreamCall<M>
  : M['responseStream'] extends true
    ? ServerStreamCall<M>
    : UnaryCall<M>;

/** A promise-based client for service `S`, plus `close()`. */
export type GrpcClient<S extends GrpcServiceDefinition> = {
  readonly [K in keyof S]: ClientMethodFor<S[K]>;
} & { readonly close: () => void };

/** A ts-proto client constructor (`XClient`), which carries its definition as `service`. */
export interface GrpcClientConstructor<S extends GrpcServiceDefinition> {
  new (address: string, credentials: ChannelCredentials, options?: Partial<ClientOptions>): Client;
  readonly service: S;
}

/** Options of {@link createGrpcClient}. */
export interface CreateGrpcClientOptions {
  /** PEM files; omitted = plaintext. */
  readonly tls?: ClientTlsFiles;
  /** Applied to every call that sets none. Default 5 s: no call may wait forever. */
  readonly deadlineMs?: number;
  /** grpc-js channel options (e.g. `grpc.ssl_target_name_override`). */
  readonly channelOptions?: Partial<ClientOptions>;
}

type Serialize = (value: unknown) => Buffer;
type Deserialize = (bytes: Buffer) => unknown;

/**
 * Creates a promise-based client for a ts-proto service: every call gets a
 * deadline, failures reject with the AppError subclass the server's status
 * and error code map to (see GRPC_ERROR_TABLE).
 */
export async function createGrpcClient<S extends GrpcServiceDefinition>(
  ctor: GrpcClientConstructor<S>,
  address: string,
  options: CreateGrpcClientOptions = {},
): Promise<GrpcClient<S>> {
  const defaultDeadlineMs = options.deadlineMs ?? 5_000;
  const client = new ctor(
    address,
    await loadClientCredentials(options.tls),
    options.channelOptions ?? {},
  );

  const callOptions = (o: GrpcCallOptions | undefined) => ({
    deadline: Date.now() + (o?.deadlineMs ?? defaultDeadlineMs),
  });
  const metadataFor = (o: GrpcCallOptions | undefined): Metadata => {
    const metadata = o?.metadata?.clone() ?? new Metadata();
    if (o?.requestId !== undefined) metadata.set(REQUEST_ID_HEADER, o.requestId);
    if (o?.traceparent !== undefined) metadata.set('traceparent', o.traceparent);
    return metadata;
  };
  const cancelOn = (call: { cancel(): void }, signal: AbortSignal | undefined) => {
    if (signal?.aborted) call.cancel();
    else signal?.addEventListener('abort', () => call.cancel(), { once: true });
  };

  const methods: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(ctor.service)) {
    if (name === 'close')
      throw new TypeError("a method named 'close' would hide the client's close()");
    const serialize = method.requestSerialize as Serialize;
    const deserialize: Deserialize = method.responseDeserialize;
    if (!method.requestStream && !method.responseStream) {
      methods[name] = (request: unknown, o?: GrpcCallOptions) =>
        new Promise((resolve, reject: (error: AppError) => void) => {
          const call = client.makeUnaryRequest(
            method.path,
            serialize,
            deserialize,
            request,
            metadataFor(o),
            callOptions(o),
            (error, response) => {
              if (error) reject(appErrorFromServiceError(error));
              else resolve(response);
            },
          );
          cancelOn(call, o?.signal);
        });
    } else if (!method.requestStream) {
      methods[name] = (request: unknown, o?: GrpcCallOptions) => {
        const call = client.makeServerStreamRequest(
          method.path,
          serialize,
          deserialize,
          request,
          metadataFor(o),
          callOptions(o),
        );
        cancelOn(call, o?.signal);
        return mapErrors(call);
      };
    } else if (!method.responseStream) {
      methods[name] = (o?: GrpcCallOptions) => {
        let stream: ClientWritableStream<unknown> | undefined;
        const response = new Promise((resolve, reject: (error: AppError) => void) => {
          stream = client.makeClientStreamRequest(
            method.path,
            serialize,
            deserialize,
            metadataFor(o),
            callOptions(o),
            (error, value) => {
              if (error) reject(appErrorFromServiceError(error));
              else resolve(value);
            },
          );
        });
        if (stream) cancelOn(stream, o?.signal);
        return { stream, response };
      };
    } else {
      methods[name] = (o?: GrpcCallOptions) => {
        const call = client.makeBidiStreamRequest(
          method.path,
          serialize,
          deserialize,
          metadataFor(o),
          callOptions(o),
        );
        cancelOn(call, o?.signal);
        return call;
      };
    }
  }
  methods.close = () => client.close();
  // Built from the definition's own entries, so the shape matches GrpcClient<S>.
  return methods as GrpcClient<S>;
}

/** Yields the stream's messages; a failed call throws the mapped AppError. */
async function* mapErrors<T>(call: ClientReadableStream<T>): AsyncIterable<T> {
  try {
    for await (const message of call) yield message as T;
  } catch (error) {
    throw appErrorFromServiceError(error);
  } finally {
    // Leaving the loop early (break) must not leave the call running.
    call.cancel();
  }
}
