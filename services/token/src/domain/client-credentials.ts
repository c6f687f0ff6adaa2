import { InvalidClientError, InvalidRequestError } from '@nes/kit';

/** RFC 7523 §2.2: the client assertion type of private_key_jwt. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The client authentication methods of the token, introspection and revocation endpoints. */
export const CLIENT_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

/** What a request presented to authenticate its client. */
export type ClientCredentials =
  | {
      readonly method: 'client_secret_basic' | 'client_secret_post';
      readonly clientId: string;
      readonly secret: string;
    }
  | {
      readonly method: 'private_key_jwt';
      /** The client_id parameter, when sent (it must match the assertion's iss/sub). */
      readonly clientId: string | undefined;
      readonly assertion: string;
    };

/** The credential-bearing parameters of a form body. */
export interface CredentialParameters {
  readonly client_id?: string | undefined;
  readonly client_secret?: string | undefined;
  readonly client_assertion?: string | undefined;
  readonly client_assertion_type?: string | undefined;
}

/** Client ids are printable ASCII; registration issues UUIDs. */
const CLIENT_ID = /^[\x21-\x7E]{1,128}$/;
const MAX_SECRET = 512;
const BASIC = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i;

/**
 * RFC 6749 §2.3.1: in the Basic header, id and secret are
 * application/x-www-form-urlencoded before being joined, so `+` is a space
 * and `%XX` an octet.
 */
function formDecode(text: string): string | undefined {
  const spaced = text.includes('+') ? text.replaceAll('+', ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return undefined;
  }
}

function checkedId(clientId: string): string {
  if (!CLIENT_ID.test(clientId)) throw new InvalidClientError('client authentication failed');
  return clientId;
}

function fromBasic(header: string): { clientId: string; secret: string } {
  const match = BASIC.exec(header);
  if (match?.[1] === undefined) {
    throw new InvalidClientError('unsupported client authentication scheme or malformed header');
  }
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const clientId = colon < 0 ? undefined : formDecode(decoded.slice(0, colon));
  const secret = colon < 0 ? undefined : formDecode(decoded.slice(colon + 1));
  if (clientId === undefined || secret === undefined || secret === '') {
    throw new InvalidClientError('malformed Basic credentials');
  }
  if (secret.length > MAX_SECRET) throw new InvalidClientError('client authentication failed');
  return { clientId: checkedId(clientId), secret };
}

/**
 * Reads the client's credentials from the Authorization header and the form
 * body. Exactly one method must be used (RFC 6749 §2.3).
 *
 * @throws InvalidRequestError when several methods are combined or a
 *   parameter is missing; InvalidClientError when no client authentication
 *   was sent or it is malformed.
 */
export function readClientCredentials(
  authorization: string | undefined,
  body: CredentialParameters,
): ClientCredentials {
  const hasAssertion =
    body.client_assertion !== undefined || body.client_assertion_type !== undefined;
  if (authorization !== undefined && authorization !== '') {
    if (body.client_secret !== undefined || hasAssertion) {
      throw new InvalidRequestError('more than one client authentication method was used');
    }
    const { clientId, secret } = fromBasic(authorization);
    if (body.client_id !== undefined && body.client_id !== clientId) {
      throw new InvalidRequestError('client_id does not match the Authorization header');
    }
    return { method: 'client_secret_basic', clientId, secret };
  }
  if (hasAssertion) {
    if (body.client_secret !== undefined) {
      throw new InvalidRequestError('more than one client authentication method was used');
    }
    if (body.client_assertion === undefined || body.client_assertion_type === undefined) {
      throw new InvalidRequestError('client_assertion and client_assertion_type go together');
    }
    if (body.client_assertion_type !== JWT_BEARER_ASSERTION_TYPE) {
      throw new InvalidClientError('unsupported client_assertion_type');
    }
    return {
      method: 'private_key_jwt',
      clientId: body.client_id === undefined ? undefined : checkedId(body.client_id),
      assertion: body.client_assertion,
    };
  }
  if (body.client_secret !== undefined) {
    if (body.client_id === undefined) {
      throw new InvalidRequestError('client_secret needs client_id');
    }
    if (body.client_secret === '' || body.client_secret.length > MAX_SECRET) {
      throw new InvalidClientError('client authentication failed');
    }
    return {
      method: 'client_secret_post',
      clientId: checkedId(body.client_id),
      secret: body.client_secret,
    };
  }
  throw new InvalidClientError('client authentication is required');
}
