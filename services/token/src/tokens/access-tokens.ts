import { randomUUID } from 'node:crypto';
import { TemporarilyUnavailableError } from '@nes/kit';
import { jwtVerify, type JWTPayload } from 'jose';
import type { AuthenticatedClient } from '../clients/client-authenticator.js';
import { signCompact, type KeyRing } from '../keys/key-ring.js';
import { SIGNING_ALGORITHMS } from '../keys/signing-algorithms.js';

/** An issued access token and what the token response says about it. */
export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresIn: number;
  /** `JSON.stringify(scope)`, already written once into the token's payload. */
  readonly scopeJson: string;
}

/** The claims of a valid access token of this service (RFC 9068 §2.2). */
export interface AccessTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | string[];
  readonly client_id: string;
  readonly scope: string;
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
}

/** Issues and checks this service's access tokens. */
export interface AccessTokens {
  /** Signs a token for `client` with `scope`. @throws TemporarilyUnavailableError without a key. */
  issue(client: AuthenticatedClient, scope: string): IssuedToken;
  /** The claims when `token` is a valid, unexpired token of ours; undefined otherwise. */
  verify(token: string): Promise<AccessTokenClaims | undefined>;
}

/** Options of {@link createAccessTokens}. */
export interface AccessTokensOptions {
  readonly ring: KeyRing;
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly lifetimeSeconds: number;
  readonly now: () => number;
}

function isClaims(payload: JWTPayload): payload is JWTPayload & AccessTokenClaims {
  return (
    typeof payload.sub === 'string' &&
    typeof payload.client_id === 'string' &&
    typeof payload.scope === 'string' &&
    typeof payload.jti === 'string' &&
    typeof payload.iat === 'number' &&
    typeof payload.exp === 'number' &&
    payload.aud !== undefined
  );
}

/**
 * RFC 9068 access tokens: header `{alg, typ: "at+jwt", kid}`, claims iss,
 * aud, sub (the client itself: client_credentials has no user), client_id,
 * scope, jti, iat, exp. The payload is written as a string template around
 * values serialized once (issuer, audience, the client's id and default
 * scope): the token path does one UUID, one base64url and one signature, and
 * a JSON.stringify only for a scope narrower than the client's.
 */
export function createAccessTokens(options: AccessTokensOptions): AccessTokens {
  const { ring, now, lifetimeSeconds } = options;
  const audience = options.audience.length === 1 ? options.audience[0] : [...options.audience];
  const prefix = `{"iss":${JSON.stringify(options.issuer)},"aud":${JSON.stringify(audience)},"sub":`;
  const algorithms = [...SIGNING_ALGORITHMS];

  return {
    issue(client, scope) {
      const at = now();
      const key = ring.signingKey(at);
      if (key === undefined) {
        throw new TemporarilyUnavailableError('no signing key is available');
      }
      const iat = Math.floor(at / 1000);
      const scopeJson =
        scope === client.defaultScope ? client.defaultScopeJson : JSON.stringify(scope);
      const payload =
        `${prefix}${client.clientIdJson},"client_id":${client.clientIdJson},` +
        `"scope":${scopeJson},"jti":"${randomUUID()}",` +
        `"iat":${iat},"exp":${iat + lifetimeSeconds}}`;
      return { accessToken: signCompact(key, payload), expiresIn: lifetimeSeconds, scopeJson };
    },

    async verify(token) {
      try {
        const { payload } = await jwtVerify(
          token,
          (header) => {
            const key = header.kid === undefined ? undefined : ring.key(header.kid);
            if (key === undefined || key.alg !== header.alg) throw new Error('unknown key');
            return key.publicKey;
          },
          {
            algorithms,
            issuer: options.issuer,
            typ: 'at+jwt',
            currentDate: new Date(now()),
            requiredClaims: ['exp', 'iat', 'jti', 'sub'],
          },
        );
        return isClaims(payload) ? payload : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
