import type { AuthMethod } from '../domain/client-metadata.js';
import type { ClientRow } from '../db/rows.js';

/**
 * The client information response of RFC 7591 §3.2.1 / RFC 7592 §3: the
 * registered metadata plus the credentials issued with this response.
 * Empty strings are metadata the client did not register and are left out.
 */
export interface ClientInformation {
  readonly client_id: string;
  readonly client_secret?: string;
  readonly client_id_issued_at: number;
  readonly client_secret_expires_at?: number;
  readonly registration_access_token?: string;
  readonly registration_client_uri: string;
  readonly client_name: string;
  readonly grant_types: string[];
  readonly token_endpoint_auth_method: AuthMethod;
  readonly scope: string;
  readonly jwks?: Record<string, unknown>;
  readonly software_id?: string;
  readonly software_version?: string;
  readonly app_name?: string;
  readonly app_version?: string;
  readonly os_type?: string;
  readonly host_name?: string;
  readonly device_info_1?: string;
  readonly device_info_2?: string;
  readonly android_id?: string;
}

/** Seconds since the epoch, as RFC 7591 writes times. */
function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** Credentials issued with one response (they exist only there). */
export interface IssuedCredentials {
  readonly clientSecret?: string;
  readonly registrationAccessToken?: string;
}

/** Builds the client information response for `row`. */
export function clientInformation(
  row: ClientRow,
  publicUrl: string,
  issued: IssuedCredentials,
): ClientInformation {
  const optional: Record<string, string> = {
    software_id: row.softwareId,
    software_version: row.softwareVersion,
    app_name: row.appName,
    app_version: row.appVersion,
    os_type: row.osType,
    host_name: row.hostName,
    device_info_1: row.deviceInfo1,
    device_info_2: row.deviceInfo2,
    android_id: row.androidId,
  };
  return {
    client_id: row.clientId,
    ...(issued.clientSecret === undefined ? {} : { client_secret: issued.clientSecret }),
    client_id_issued_at: seconds(row.createdAt),
    // REQUIRED whenever a secret exists (0 = never expires); absent otherwise.
    ...(row.secretHash === null
      ? {}
      : { client_secret_expires_at: row.secretExpiresAt ? seconds(row.secretExpiresAt) : 0 }),
    ...(issued.registrationAccessToken === undefined
      ? {}
      : { registration_access_token: issued.registrationAccessToken }),
    registration_client_uri: `${publicUrl}/oauth2/register/${row.clientId}`,
    client_name: row.name,
    grant_types: [...row.grantTypes],
    token_endpoint_auth_method: row.tokenEndpointAuthMethod,
    scope: row.scopes.join(' '),
    ...(row.jwks === null ? {} : { jwks: { ...row.jwks } }),
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== '')),
  };
}
