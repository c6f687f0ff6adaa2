import { InvalidRequestError, type HttpServer } from '@nes/kit';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { parseForm } from '../domain/form.js';

/** Bound of an OAuth form body: a client assertion is the largest value (8 KiB). */
export const FORM_BODY_LIMIT = 16 * 1024;

/** The only body type of the OAuth endpoints. */
export const FORM_TYPE = 'application/x-www-form-urlencoded';

/** Registers the application/x-www-form-urlencoded parser (bounded, repeated parameters refused). */
export function addFormBodyParser(app: HttpServer): void {
  app.addContentTypeParser(
    FORM_TYPE,
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    (_request, body, done) => {
      try {
        done(null, parseForm(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
}

/**
 * preValidation of the OAuth endpoints: RFC 6749 §3.2 and RFC 7009/7662 take
 * form bodies only, so a JSON body (which fastify would parse too) is an
 * invalid_request.
 */
export function requireFormBody(
  request: FastifyRequest,
  _reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  const type = request.headers['content-type'];
  if (type === undefined || !type.toLowerCase().startsWith(FORM_TYPE)) {
    done(new InvalidRequestError(`the request body must be ${FORM_TYPE}`));
    return;
  }
  done();
}
