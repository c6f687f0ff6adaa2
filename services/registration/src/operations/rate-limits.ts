import { TooManyRequestsError } from '@nes/kit';
import type { RegistrationContext } from '../context.js';

/**
 * Applies the registration rate limit for `key` (`ip:…` or `crt:…`).
 * When Redis cannot be reached the request goes ahead (counted and logged):
 * the CRT is the real gate, and registration must not stop because a cache
 * is down.
 *
 * @throws TooManyRequestsError with the seconds until the window ends.
 */
export async function limitRegistrations(
  context: RegistrationContext,
  key: string,
  limit: number,
): Promise<void> {
  const settings = context.config.rateLimit;
  if (!settings.enabled) return;
  let result;
  try {
    result = await context.rateLimiter.hit(`register:${key}`, {
      limit,
      windowMs: settings.windowSeconds * 1000,
    });
  } catch (error) {
    context.metrics.rateLimitUnavailable();
    context.logger.warn({ err: error }, 'rate limiter unavailable; request let through');
    return;
  }
  if (!result.allowed) {
    context.metrics.registration('rate_limited');
    throw new TooManyRequestsError('Too many registration requests; try again later.', {
      retryAfterSeconds: result.resetMs / 1000,
    });
  }
}
