import type {
  Metadata,
  ServerDuplexStream,
  ServerReadableStream,
  ServerWritableStream,
} from '@grpc/grpc-js';
import type { TraceParent } from '../http/traceparent.js';
import type { Logger } from '../log/create-logger.js';

/**
 * One method of a ts-proto (`outputServices=grpc-js`) service definition,
 * described structurally so that any generated `XService` object fits.
 */
export interface GrpcMethod {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly requestSerialize: (value: never) => Buffer;
  readonly requestDeserialize: (bytes: Buffer) => unknown;
  readonly responseSerialize: (value: never) => Buffer;
  readonly responseDeserialize: (bytes: Buffer) => unknown;
}

/** A ts-proto service definition: method name → method. */
export type GrpcServiceDefinition = Readonly<Record<string, GrpcMethod>>;

/** The request message type of a method. */
export type RequestOf<M> = M extends { requestDeserialize: (bytes: Buffer) => infer R } ? R : never;
/** The response message type of a method. */
export type ResponseOf<M> = M extends { responseDeserialize: (bytes: Buffer) => infer R }
  ? R
  : never;

/** What every handler gets besides the request: who called, for how long, and a logger. */
export interface CallContext {
  /** From the caller's `x-request-id` metadata when sane, else generated. */
  readonly requestId: string;
  /** Logger bound to the method, request id and trace. */
  readonly logger: Logger;
  readonly metadata: Metadata;
  readonly trace: TraceParent | undefined;
  /** Aborts when the caller cancels or its deadline passes. */
  readonly signal: AbortSignal;
}

/** A unary method: one request, one response. */
export type UnaryHandler<Req, Res> = (request: Req, context: CallContext) => Promise<Res>;
/** Server streaming: write to `stream`; the stream ends when the promise resolves. */
export type ServerStreamHandler<Req, Res> = (
  request: Req,
  stream: ServerWritableStream<Req, Res>,
  context: CallContext,
) => Promise<void>;
/** Client streaming: read `stream`, resolve with the one response. */
export type ClientStreamHandler<Req, Res> = (
  stream: ServerReadableStream<Req, Res>,
  context: CallContext,
) => Promise<Res>;
/** Bidirectional streaming: the stream ends when the promise resolves. */
export type BidiStreamHandler<Req, Res> = (
  stream: ServerDuplexStream<Req, Res>,
  context: CallContext,
) => Promise<void>;

/** The handler type for method `M`, by its streaming flags. */
export type HandlerFor<M extends GrpcMethod> = M['requestStream'] extends true
  ? M['responseStream'] extends true
    ? BidiStreamHandler<RequestOf<M>, ResponseOf<M>>
    : ClientStreamHandler<RequestOf<M>, ResponseOf<M>>
  : M['responseStream'] extends true
    ? ServerStreamHandler<RequestOf<M>, ResponseOf<M>>
    : UnaryHandler<RequestOf<M>, ResponseOf<M>>;

/** An async implementation of every method of `S`. */
export type ServiceHandlers<S extends GrpcServiceDefinition> = {
  readonly [K in keyof S]: HandlerFor<S[K]>;
};

/** `/grpc.health.v1.Health/Check` → `grpc.health.v1.Health`. */
export function serviceNameOf(definition: GrpcServiceDefinition): string {
  const first = Object.values(definition)[0];
  const match = first ? /^\/([^/]+)\//.exec(first.path) : null;
  if (!match?.[1]) throw new TypeError('not a gRPC service definition (no method paths)');
  return match[1];
}
