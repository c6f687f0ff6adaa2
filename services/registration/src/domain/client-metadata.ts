import {
  InvalidClientMetadataError,
  InvalidRedirectUriError,
  UnapprovedSoftwareStatementError,
} from '@nes/kit';
import { isAppScope, type AppScope } from './scopes.js';
import { cleanText, isStorableJson } from './text.js';

/**
 * RFC 7591 §2 client metadata as NES accepts it: the standard fields a
 * client_credentials client uses, plus the device fields Nymi Connect sends.
 * Known fields are checked strictly (type, length, characters, allowed
 * values) and answered with `invalid_client_metadata` naming the field;
 * unknown fields are ignored and not stored, as §2 requires.
 */

/** Token endpoint authentication methods a client may register with. */
export const AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/** The only grant NES' devices use. */
export const GRANT_TYPES = ['client_credentials'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

/** A public JSON Web Key Set as registered (checked, never containing private members). */
export interface PublicJwks {
  readonly keys: readonly Readonly<Record<string, unknown>>[];
}

/** Metadata after validation; absent strings are ''. */
export interface ClientMetadata {
  readonly clientName: string;
  readonly grantTypes: readonly GrantType[];
  readonly tokenEndpointAuthMethod: AuthMethod;
  readonly scopes: readonly AppScope[];
  readonly jwks: PublicJwks | null;
  readonly softwareId: string;
  readonly softwareVersion: string;
  readonly appName: string;
  readonly appVersion: string;
  readonly osType: string;
  readonly hostName: string;
  readonly deviceInfo1: string;
  readonly deviceInfo2: string;
  readonly androidId: string;
}

/** Bounds of the string fields (code points); all optional. */
export const STRING_FIELDS = {
  client_name: { key: 'clientName', max: 255 },
  software_id: { key: 'softwareId', max: 255 },
  software_version: { key: 'softwareVersion', max: 64 },
  app_name: { key: 'appName', max: 100 },
  app_version: { key: 'appVersion', max: 64 },
  os_type: { key: 'osType', max: 64 },
  host_name: { key: 'hostName', max: 255 },
  device_info_1: { key: 'deviceInfo1', max: 127 },
  device_info_2: { key: 'deviceInfo2', max: 127 },
  android_id: { key: 'androidId', max: 64 },
} as const satisfies Record<string, { key: keyof ClientMetadata; max: number }>;

type StringKey = (typeof STRING_FIELDS)[keyof typeof STRING_FIELDS]['key'];

const MAX_JWKS_KEYS = 10;
const MAX_JWKS_BYTES = 16 * 1024;
const PUBLIC_KEY_TYPES = new Set(['EC', 'RSA', 'OKP']);
/** Members that only private (or symmetric) keys have (RFC 7518 §6). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function fail(description: string): never {
  throw new InvalidClientMetadataError(description);
}

function readString(body: Record<string, unknown>, field: keyof typeof STRING_FIELDS): string {
  const value = body[field];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') fail(`${field} must be a string`);
  const result = cleanText(value, { min: 0, max: STRING_FIELDS[field].max });
  if (!result.ok) fail(`${field} ${result.problem}`);
  return result.value;
}

function readGrantTypes(value: unknown): GrantType[] {
  if (value === undefined || value === null) return ['client_credentials'];
  if (!Array.isArray(value) || value.length === 0 || value.length > 10) {
    fail('grant_types must be a non-empty array of strings');
  }
  for (const item of value) {
    if (item !== 'client_credentials') fail('grant_types: only client_credentials is supported');
  }
  return ['client_credentials'];
}

function readAuthMethod(value: unknown): AuthMethod {
  if (value === undefined || value === null) return 'client_secret_basic';
  if (typeof value !== 'string' || !(AUTH_METHODS as readonly string[]).includes(value)) {
    fail(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}`);
  }
  return value as AuthMethod;
}

function readScopes(value: unknown, allowed: readonly AppScope[]): AppScope[] {
  if (value === undefined || value === null) return [...allowed];
  if (typeof value !== 'string' || value.length > 1000) fail('scope must be a string');
  const requested = [...new Set(value.split(' ').filter((s) => s !== ''))];
  if (requested.length === 0) fail('scope must name at least one scope');
  for (const scope of requested) {
    if (!/^[\x21\x23-\x5B\x5D-\x7E]{1,64}$/.test(scope)) fail('scope holds a malformed value');
    if (!isAppScope(scope) || !allowed.includes(scope)) {
      fail(`scope '${scope}' is not granted by the initial access token`);
    }
  }
  return requested as AppScope[];
}

function readJwks(value: unknown): PublicJwks | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) fail('jwks must be a JSON object');
  if (!isStorableJson(value) || JSON.stringify(value).length > MAX_JWKS_BYTES) {
    fail(`jwks must be at most ${MAX_JWKS_BYTES} bytes of well-formed JSON`);
  }
  const keys = (value as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_JWKS_KEYS) {
    fail(`jwks.keys must be an array of 1-${MAX_JWKS_KEYS} keys`);
  }
  keys.forEach((key: unknown, index) => {
    if (typeof key !== 'object' || key === null || Array.isArray(key)) {
      fail(`jwks.keys[${index}] must be an object`);
    }
    const record = key as Record<string, unknown>;
    if (typeof record.kty !== 'string' || !PUBLIC_KEY_TYPES.has(record.kty)) {
      fail(`jwks.keys[${index}].kty must be EC, RSA or OKP`);
    }
    if (PRIVATE_MEMBERS.some((member) => member in record)) {
      fail(`jwks.keys[${index}] must be a public key (it carries private key members)`);
    }
    if (record.kid !== undefined && (typeof record.kid !== 'string' || record.kid.length > 128)) {
      fail(`jwks.keys[${index}].kid must be a string of at most 128 characters`);
    }
  });
  return { keys: keys as Record<string, unknown>[] };
}

/**
 * Validates an RFC 7591 registration request body for a client that may
 * receive `allowedScopes` (the CRT's).
 *
 * @throws InvalidClientMetadataError, InvalidRedirectUriError or
 *   UnapprovedSoftwareStatementError naming the offending field.
 */
export function parseClientMetadata(
  body: unknown,
  allowedScopes: readonly AppScope[],
): ClientMetadata {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    fail('the request body must be a JSON object of client metadata');
  }
  const record = body as Record<string, unknown>;
  const redirectUris = record.redirect_uris;
  if (redirectUris !== undefined && !(Array.isArray(redirectUris) && redirectUris.length === 0)) {
    throw new InvalidRedirectUriError(
      'redirect_uris must be absent: client_credentials clients have no redirection endpoint',
    );
  }
  const responseTypes = record.response_types;
  if (
    responseTypes !== undefined &&
    !(Array.isArray(responseTypes) && responseTypes.length === 0)
  ) {
    fail('response_types must be absent: client_credentials clients use no authorization endpoint');
  }
  if (record.software_statement !== undefined) {
    throw new UnapprovedSoftwareStatementError('software statements are not accepted');
  }
  if (record.jwks_uri !== undefined) {
    fail('jwks_uri is not supported: register the public keys by value in jwks');
  }
  const strings = {} as Record<StringKey, string>;
  for (const field of Object.keys(STRING_FIELDS) as (keyof typeof STRING_FIELDS)[]) {
    strings[STRING_FIELDS[field].key] = readString(record, field);
  }
  const tokenEndpointAuthMethod = readAuthMethod(record.token_endpoint_auth_method);
  const jwks = readJwks(record.jwks);
  if (tokenEndpointAuthMethod === 'private_key_jwt' && jwks === null) {
    fail('private_key_jwt needs the client public keys in jwks');
  }
  return {
    ...strings,
    grantTypes: readGrantTypes(record.grant_types),
    tokenEndpointAuthMethod,
    scopes: readScopes(record.scope, allowedScopes),
    jwks,
  };
}

/** Fields a client cannot change through the configuration endpoint (RFC 7592 §2.2). */
export const IMMUTABLE_FIELDS = [
  'grant_types',
  'token_endpoint_auth_method',
  'scope',
  'software_id',
  'android_id',
] as const;

/**
 * Validates an RFC 7592 update against the client's current metadata.
 * Mutable fields are replaced (absent = cleared, as §2.2 asks); the
 * immutable ones may be repeated but not changed (absent = kept).
 */
export function parseClientUpdate(
  body: unknown,
  current: ClientMetadata,
): { metadata: ClientMetadata; changed: (keyof ClientMetadata)[] } {
  const next = parseClientMetadata(body, current.scopes);
  const record = body as Record<string, unknown>;
  const same = {
    grant_types: next.grantTypes.join(' ') === current.grantTypes.join(' '),
    token_endpoint_auth_method: next.tokenEndpointAuthMethod === current.tokenEndpointAuthMethod,
    scope: [...next.scopes].sort().join(' ') === [...current.scopes].sort().join(' '),
    software_id: next.softwareId === current.softwareId,
    android_id: next.androidId === current.androidId,
  };
  for (const field of IMMUTABLE_FIELDS) {
    if (record[field] !== undefined && !same[field]) fail(`${field} cannot be changed`);
  }
  const metadata: ClientMetadata = {
    ...next,
    grantTypes: current.grantTypes,
    tokenEndpointAuthMethod: current.tokenEndpointAuthMethod,
    scopes: current.scopes,
    softwareId: current.softwareId,
    androidId: current.androidId,
  };
  const changed = (Object.keys(metadata) as (keyof ClientMetadata)[]).filter(
    (key) => JSON.stringify(metadata[key]) !== JSON.stringify(current[key]),
  );
  return { metadata, changed };
}
