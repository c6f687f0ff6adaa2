/**
 * LDAP filter building (RFC 4515) for values that come from outside: every
 * value goes through {@link filterValue}, never string concatenation.
 */

/** Escapes an assertion value: `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`, `\29`, `\5c`, `\00`. */
export function filterValue(value: string): string {
  let out = '';
  for (const char of value) {
    out += '*()\\'.includes(char) || char === String.fromCharCode(0) ? hex(char) : char;
  }
  return out;
}

function hex(char: string): string {
  return `\\${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** `(&a b c)` of filters (the filters themselves already well-formed); one filter stays as is. */
export function and(...filters: readonly string[]): string {
  const parts = filters.filter((f) => f.length > 0);
  if (parts.length === 1) return parts[0] ?? '';
  return `(&${parts.join('')})`;
}

/** `(|a b c)`. */
export function or(filters: readonly string[]): string {
  if (filters.length === 1) return filters[0] ?? '';
  return `(|${filters.join('')})`;
}

/** `(attr=value)` with the value escaped. */
export function equals(attribute: string, value: string): string {
  return `(${attribute}=${filterValue(value)})`;
}
