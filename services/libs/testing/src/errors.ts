/**
 * Why the harness could not give the tests their servers. The message always
 * says what to install, run or set; it never carries a secret.
 */
export class InfraError extends Error {
  override readonly name = 'InfraError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Hides the password of a URL's user info, for log lines and messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}
