import type { FastifyReply } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Declared by @nes/kit's error handler, whose augmentation does not reach
     * a consumer of its declaration files; repeated here with the same type.
     */
    oauth?: boolean;
    /** Declared by @nes/kit's request log, repeated for the same reason. */
    requestLog?: 'all' | 'failures';
  }
}

/**
 * Sends a body that was serialized ahead of time (JWKS, metadata) as JSON,
 * past the type provider (which expects the object form) and the serializer
 * (fastify sends a string with a JSON content type as it is).
 */
export function sendSerializedJson(reply: FastifyReply, json: string): void {
  void reply.type('application/json; charset=utf-8').send(json);
}

/** Sends an empty body (RFC 7009's 200 has nothing to say). */
export function sendEmpty(reply: FastifyReply): void {
  void reply.send();
}
