/**
 * The one list of log fields that must never be written. Every NES logger
 * censors these keys at the top level and up to {@link REDACT_DEPTH} levels
 * down (`req.headers.authorization`, `body.client.client_secret`, …) because
 * a value can sit anywhere in a log object.
 */
export const SENSITIVE_KEYS: readonly string[] = [
  // HTTP credentials and sessions
  'authorization',
  'Authorization',
  'proxy-authorization',
  'cookie',
  'Cookie',
  'set-cookie',
  'x-api-key',
  // passwords
  'password',
  'passwd',
  'newPassword',
  'new_password',
  'currentPassword',
  'current_password',
  'oldPassword',
  'old_password',
  // OAuth and registration secrets
  'client_secret',
  'clientSecret',
  'token',
  'access_token',
  'accessToken',
  'refresh_token',
  'refreshToken',
  'id_token',
  'idToken',
  'registration_access_token',
  'registrationAccessToken',
  'initial_access_token',
  'initialAccessToken',
  'assertion',
  'client_assertion',
  // keys and generic secrets
  'secret',
  'apiKey',
  'api_key',
  'privateKey',
  'private_key',
  'dataKey',
  'connectionString',
];

/** How many levels below the top a sensitive key is still found. */
export const REDACT_DEPTH = 4;

/** What a censored value is written as. */
export const REDACT_CENSOR = '[REDACTED]';
