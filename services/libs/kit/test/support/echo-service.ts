import { makeGenericClientConstructor } from '@grpc/grpc-js';
import type { GrpcClientConstructor } from '../../src/index.js';

/** A tiny hand-written service in the shape ts-proto generates, with JSON on the wire. */
export interface EchoRequest {
  text: string;
  delayMs?: number;
  /** How the handler should fail: 'conflict', 'crash', 'invalid_client'. */
  fail?: string;
  count?: number;
}

export interface EchoResponse {
  text: string;
  requestId: string;
  traceId?: string;
}

const json = {
  requestSerialize: (value: EchoRequest): Buffer => Buffer.from(JSON.stringify(value)),
  requestDeserialize: (bytes: Buffer): EchoRequest =>
    JSON.parse(bytes.toString('utf8')) as EchoRequest,
  responseSerialize: (value: EchoResponse): Buffer => Buffer.from(JSON.stringify(value)),
  responseDeserialize: (bytes: Buffer): EchoResponse =>
    JSON.parse(bytes.toString('utf8')) as EchoResponse,
};

export const EchoService = {
  echo: {
    path: '/nes.test.v1.Echo/Echo',
    requestStream: false as const,
    responseStream: false as const,
    ...json,
  },
  repeat: {
    path: '/nes.test.v1.Echo/Repeat',
    requestStream: false as const,
    responseStream: true as const,
    ...json,
  },
} as const;

export const EchoClient = makeGenericClientConstructor(
  EchoService,
  'nes.test.v1.Echo',
) as unknown as GrpcClientConstructor<typeof EchoService>;
