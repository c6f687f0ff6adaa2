import {
  Metadata,
  status as GrpcStatus,
  type sendUnaryData,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedHandleCall,
} from '@grpc/grpc-js';
import type { Histogram } from 'prom-client';
import { REQUEST_ID_HEADER, requestIdFrom } from '../http/request-id.js';
import { parseTraceparent } from '../http/traceparent.js';
import type { Logger } from '../log/create-logger.js';
import { toCallFailure } from './call-status.js';
import type { CallContext, GrpcMethod } from './service-types.js';

/** What wrapping needs from the server. */
export interface WrapOptions {
  readonly logger: Logger;
  readonly durations: Histogram<'method' | 'code'> | undefined;
  /** Methods logged at debug (health probes). */
  readonly quiet: boolean;
}

/** The part of every grpc-js server call that wrapping uses. */
interface Surface {
  readonly metadata: Metadata;
  on(event: 'cancelled', listener: () => void): unknown;
  sendMetadata(metadata: Metadata): void;
}

/** Runs `fn`, turning a synchronous throw into a rejection. */
function invoke<T>(fn: () => Promise<T> | T): Promise<T> {
  return new Promise<T>((resolve) => resolve(fn()));
}

function firstString(metadata: Metadata, key: string): string | undefined {
  const [value] = metadata.get(key);
  return typeof value === 'string' ? value : undefined;
}

/** Builds the call context and a `finish` that logs and times the call once. */
function begin(call: Surface, method: GrpcMethod, options: WrapOptions) {
  const started = performance.now();
  const requestId = requestIdFrom(firstString(call.metadata, REQUEST_ID_HEADER));
  const trace = parseTraceparent(firstString(call.metadata, 'traceparent'));
  const logger = options.logger.child({
    method: method.path,
    requestId,
    ...(trace ? { traceId: trace.traceId, parentSpanId: trace.parentId } : {}),
  });
  const controller = new AbortController();
  call.on('cancelled', () => controller.abort());
  const echo = new Metadata();
  echo.set(REQUEST_ID_HEADER, requestId);
  call.sendMetadata(echo);
  const context: CallContext = {
    requestId,
    logger,
    metadata: call.metadata,
    trace,
    signal: controller.signal,
  };

  function finish(code: GrpcStatus, error?: unknown): void {
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    const fields = { code: GrpcStatus[code], durationMs };
    options.durations?.observe({ method: method.path, code: GrpcStatus[code] }, durationMs / 1000);
    if (code === GrpcStatus.INTERNAL || code === GrpcStatus.UNKNOWN) {
      logger.error({ ...fields, err: error }, 'grpc call failed');
    } else if (code === GrpcStatus.UNAVAILABLE && error !== undefined) {
      logger.warn({ ...fields, err: error }, 'grpc call failed: unavailable');
    } else if (options.quiet) logger.debug(fields, 'grpc call completed');
    else logger.info(fields, 'grpc call completed');
  }
  return { context, finish };
}

/**
 * Adapts an async handler to grpc-js' callback/stream API, with per-call
 * logging, request id, trace context, cancellation signal and the error
 * mapping of `toCallFailure`.
 */
export function wrapHandler(
  method: GrpcMethod,
  handler: unknown,
  options: WrapOptions,
): UntypedHandleCall {
  if (typeof handler !== 'function') throw new TypeError(`no handler for ${method.path}`);
  const run = handler as (...args: unknown[]) => Promise<unknown>;

  const settle = (
    call: Surface,
    work: (context: CallContext) => Promise<unknown>,
    onOk: (value: unknown) => void,
    onError: (failure: ReturnType<typeof toCallFailure>) => void,
  ) => {
    const { context, finish } = begin(call, method, options);
    invoke(() => work(context)).then(
      (value) => {
        finish(GrpcStatus.OK);
        onOk(value);
      },
      (error: unknown) => {
        const failure = toCallFailure(error);
        finish(failure.code, error);
        onError(failure);
      },
    );
  };

  if (!method.requestStream && !method.responseStream) {
    return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) =>
      settle(
        call,
        (ctx) => run(call.request, ctx),
        (v) => callback(null, v),
        (f) => callback(f),
      );
  }
  if (!method.requestStream) {
    return (call: ServerWritableStream<unknown, unknown>) =>
      settle(
        call,
        (ctx) => run(call.request, call, ctx),
        () => call.end(),
        (f) => call.emit('error', f),
      );
  }
  if (!method.responseStream) {
    return (call: ServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>) =>
      settle(
        call,
        (ctx) => run(call, ctx),
        (v) => callback(null, v),
        (f) => callback(f),
      );
  }
  return (call: ServerDuplexStream<unknown, unknown>) =>
    settle(
      call,
      (ctx) => run(call, ctx),
      () => call.end(),
      (f) => call.emit('error', f),
    );
}
