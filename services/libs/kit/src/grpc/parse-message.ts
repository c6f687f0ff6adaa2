import type { z } from 'zod';
import { ValidationError } from '../errors/problem-errors.js';

/**
 * Checks a decoded gRPC message against a zod schema before domain code sees
 * it (protobuf decoding guarantees types, not bounds or formats). Failures
 * throw a ValidationError — INVALID_ARGUMENT over gRPC — listing each field
 * by path; zod's messages describe the rule, not the value sent.
 */
export function parseMessage<S extends z.ZodType>(schema: S, message: unknown): z.output<S> {
  const result = schema.safeParse(message);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 20).map((issue) => ({
    path: `/${issue.path.map(String).join('/')}`,
    message: issue.message,
  }));
  const first = issues[0];
  const summary = first ? `invalid request: ${first.path}: ${first.message}` : 'invalid request';
  throw new ValidationError(summary, issues);
}
