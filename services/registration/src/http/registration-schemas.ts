import { z } from 'zod';
import { AUTH_METHODS } from '../domain/client-metadata.js';

/** Shapes of the RFC 7591 / 7592 endpoints (snake_case, as the RFCs name them). */

/**
 * The request body is checked by the domain rules, not by a schema, so that
 * every metadata problem is answered with RFC 7591's invalid_client_metadata
 * (a schema failure would be invalid_request) and only after the initial
 * access token was checked.
 */
export const registrationBody = z
  .unknown()
  .describe(
    'RFC 7591 client metadata: client_name, grant_types ["client_credentials"], ' +
      'token_endpoint_auth_method (client_secret_basic | client_secret_post | private_key_jwt), ' +
      'scope, jwks, software_id, software_version, and the device fields app_name, app_version, ' +
      'os_type, host_name, device_info_1, device_info_2, android_id',
  );

export const clientInformationSchema = z
  .object({
    client_id: z.string(),
    client_secret: z.string().optional(),
    client_id_issued_at: z.number().int(),
    client_secret_expires_at: z.number().int().optional().describe('0 = never'),
    registration_access_token: z.string().optional(),
    registration_client_uri: z.string(),
    client_name: z.string(),
    grant_types: z.array(z.string()),
    token_endpoint_auth_method: z.enum(AUTH_METHODS),
    scope: z.string(),
    jwks: z.record(z.string(), z.unknown()).optional(),
    software_id: z.string().optional(),
    software_version: z.string().optional(),
    app_name: z.string().optional(),
    app_version: z.string().optional(),
    os_type: z.string().optional(),
    host_name: z.string().optional(),
    device_info_1: z.string().optional(),
    device_info_2: z.string().optional(),
    android_id: z.string().optional(),
  })
  .meta({ id: 'ClientInformation' });

export const configurationParams = z.object({ clientId: z.string().max(200) });
