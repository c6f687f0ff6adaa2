import { describe, expect, it } from 'vitest';
import { parseClientMetadata, parseClientUpdate } from './client-metadata.js';

const allowed = ['nymi-connect'] as const;
const publicKey = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k' };

function errorOf(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('did not throw');
}

describe('parseClientMetadata', () => {
  it('defaults grant, method and scope and keeps the device fields', () => {
    const metadata = parseClientMetadata(
      { os_type: ' Android 14 ', device_info_1: 'SN1' },
      allowed,
    );
    expect(metadata).toMatchObject({
      grantTypes: ['client_credentials'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      scopes: ['nymi-connect'],
      osType: 'Android 14',
      deviceInfo1: 'SN1',
      deviceInfo2: '',
      jwks: null,
    });
  });

  it('accepts every supported auth method and public JWKS', () => {
    expect(
      parseClientMetadata({ token_endpoint_auth_method: 'client_secret_post' }, allowed)
        .tokenEndpointAuthMethod,
    ).toBe('client_secret_post');
    const jwt = parseClientMetadata(
      { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [publicKey] } },
      allowed,
    );
    expect(jwt.jwks).toEqual({ keys: [publicKey] });
  });

  it('refuses each invalid field with the RFC 7591 code, naming it', () => {
    const cases: [unknown, string, string][] = [
      [[], 'invalid_client_metadata', 'JSON object'],
      [{ grant_types: ['implicit'] }, 'invalid_client_metadata', 'grant_types'],
      [{ grant_types: [] }, 'invalid_client_metadata', 'grant_types'],
      [
        { token_endpoint_auth_method: 'tls_client_auth' },
        'invalid_client_metadata',
        'token_endpoint_auth_method',
      ],
      [{ scope: 'openid' }, 'invalid_client_metadata', "scope 'openid'"],
      [{ scope: '' }, 'invalid_client_metadata', 'scope'],
      [{ client_name: 'x'.repeat(256) }, 'invalid_client_metadata', 'client_name exceeds 255'],
      [{ android_id: ['a'] }, 'invalid_client_metadata', 'android_id must be a string'],
      [{ jwks: { keys: [] } }, 'invalid_client_metadata', 'jwks.keys'],
      [
        { jwks: { keys: Array.from({ length: 11 }, () => publicKey) } },
        'invalid_client_metadata',
        'jwks.keys',
      ],
      [
        { jwks: { keys: [{ ...publicKey, d: 'secret' }] } },
        'invalid_client_metadata',
        'public key',
      ],
      [{ jwks: { keys: [{ kty: 'oct', k: 'x' }] } }, 'invalid_client_metadata', 'kty'],
      [{ jwks: { keys: [{ ...publicKey, kid: 5 }] } }, 'invalid_client_metadata', 'kid'],
      [
        { jwks: { keys: [{ ...publicKey, n: 'x'.repeat(20_000) }] } },
        'invalid_client_metadata',
        'jwks must be at most',
      ],
      [{ jwks_uri: 'https://x' }, 'invalid_client_metadata', 'jwks_uri'],
      [{ token_endpoint_auth_method: 'private_key_jwt' }, 'invalid_client_metadata', 'jwks'],
      [{ redirect_uris: ['https://x/cb'] }, 'invalid_redirect_uri', 'redirect_uris'],
      [{ response_types: ['token'] }, 'invalid_client_metadata', 'response_types'],
      [{ software_statement: 'x' }, 'unapproved_software_statement', 'software statements'],
    ];
    for (const [body, code, mention] of cases) {
      const error = errorOf(() => parseClientMetadata(body, allowed));
      expect(error.code, JSON.stringify(body).slice(0, 60)).toBe(code);
      expect(error.message).toContain(mention);
    }
  });
});

describe('parseClientUpdate', () => {
  const current = parseClientMetadata(
    { software_id: 'app', android_id: 'a1', app_version: '1', os_type: 'Android 13' },
    allowed,
  );

  it('replaces mutable fields (absent = cleared), keeps fixed ones, and lists what changed', () => {
    const { metadata, changed } = parseClientUpdate({ app_version: '2' }, current);
    expect(metadata).toMatchObject({
      appVersion: '2',
      osType: '',
      softwareId: 'app',
      androidId: 'a1',
    });
    expect(changed.sort()).toEqual(['appVersion', 'osType']);
  });

  it('allows repeating fixed fields, refuses changing them', () => {
    expect(
      parseClientUpdate({ software_id: 'app', android_id: 'a1', scope: 'nymi-connect' }, current)
        .changed,
    ).toEqual(['appVersion', 'osType']);
    for (const field of ['software_id', 'android_id']) {
      expect(errorOf(() => parseClientUpdate({ [field]: 'other' }, current)).message).toBe(
        `${field} cannot be changed`,
      );
    }
    expect(
      errorOf(() =>
        parseClientUpdate({ token_endpoint_auth_method: 'client_secret_post' }, current),
      ).message,
    ).toBe('token_endpoint_auth_method cannot be changed');
  });
});
