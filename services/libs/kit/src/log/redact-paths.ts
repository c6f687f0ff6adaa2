/**
 * The one list of log fields that must never be written. Every NES logger
 * censors these keys at the top level and up to {@link REDACT_DEPTH} levels
 * down (`req.headers.authorization`, `body.client.client_secret`, …) because
 * pino's redaction matches explicit paths, not keys anywhere.
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

function accessor(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`;
}

/** Builds `key`, `*.key`, `*.*.key`, … for every sensitive key (pino path syntax). */
export function buildRedactPaths(
  keys: readonly string[] = SENSITIVE_KEYS,
  depth: number = REDACT_DEPTH,
): string[] {
  const paths: string[] = [];
  for (const key of keys) {
    for (let level = 0; level <= depth; level += 1) {
      const prefix = Array.from({ length: level }, () => '*').join('.');
      const tail = accessor(key);
      paths.push(prefix === '' ? tail.replace(/^\./, '') : `${prefix}${tail}`);
    }
  }
  return paths;
}
