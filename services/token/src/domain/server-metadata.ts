import { CLIENT_AUTH_METHODS } from './client-credentials.js';

/** What the RFC 8414 document is built from. */
export interface MetadataInput {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly introspectionEndpoint: string;
  readonly revocationEndpoint: string;
  readonly jwksUri: string;
  readonly registrationEndpoint: string | undefined;
  readonly scopesSupported: readonly string[];
  /** Algorithms private_key_jwt assertions may use. */
  readonly assertionAlgorithms: readonly string[];
}

/**
 * The RFC 8414 authorization server metadata. There is no authorization
 * endpoint (devices use client_credentials only), so response_types_supported
 * is empty.
 */
export function serverMetadata(input: MetadataInput): Record<string, unknown> {
  const authMethods = [...CLIENT_AUTH_METHODS];
  const algs = [...input.assertionAlgorithms];
  return {
    issuer: input.issuer,
    token_endpoint: input.tokenEndpoint,
    jwks_uri: input.jwksUri,
    ...(input.registrationEndpoint === undefined
      ? {}
      : { registration_endpoint: input.registrationEndpoint }),
    scopes_supported: [...input.scopesSupported],
    response_types_supported: [],
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: authMethods,
    token_endpoint_auth_signing_alg_values_supported: algs,
    introspection_endpoint: input.introspectionEndpoint,
    introspection_endpoint_auth_methods_supported: authMethods,
    introspection_endpoint_auth_signing_alg_values_supported: algs,
    revocation_endpoint: input.revocationEndpoint,
    revocation_endpoint_auth_methods_supported: authMethods,
    revocation_endpoint_auth_signing_alg_values_supported: algs,
  };
}
