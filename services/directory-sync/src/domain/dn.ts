import { hasControlCharacters, replaceControlCharacters } from './text.js';

/**
 * Distinguished names (RFC 4514): parsing for validation and comparison,
 * escaping for building. AD compares DNs case-insensitively, so comparison
 * goes through {@link normalizeDn}.
 */

/** One attribute=value pair of an RDN, with the value unescaped. */
export interface Ava {
  readonly type: string;
  readonly value: string;
}

/** Why a DN was refused. */
export class DnSyntaxError extends Error {
  override readonly name = 'DnSyntaxError';
}

const ATTRIBUTE_TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)$/;
const MAX_DN_LENGTH = 2048;

/**
 * Parses a DN into its RDNs (each a list of AVAs, multi-valued RDNs joined
 * with `+`). Values may use `\` escapes (`\,` or `\2c`); `#` hex values are
 * refused (NES never needs them).
 *
 * @throws DnSyntaxError saying what is wrong and where.
 */
export function parseDn(dn: string): Ava[][] {
  if (dn.length === 0) throw new DnSyntaxError('DN is empty');
  if (dn.length > MAX_DN_LENGTH) throw new DnSyntaxError(`DN is longer than ${MAX_DN_LENGTH}`);
  if (hasControlCharacters(dn)) throw new DnSyntaxError('DN contains control characters');
  const rdns: Ava[][] = [];
  let rdn: Ava[] = [];
  let i = 0;
  while (i <= dn.length) {
    const eq = dn.indexOf('=', i);
    if (eq < 0) throw new DnSyntaxError(`expected attribute=value at position ${i + 1}`);
    const type = dn.slice(i, eq).trim();
    if (!ATTRIBUTE_TYPE.test(type)) {
      throw new DnSyntaxError(`bad attribute type '${type.slice(0, 40)}' at position ${i + 1}`);
    }
    let value = '';
    let j = eq + 1;
    while (j < dn.length && dn[j] === ' ') j += 1;
    if (dn[j] === '#') throw new DnSyntaxError('hex-encoded DN values are not supported');
    let trailingSpaces = 0;
    for (; j < dn.length; j += 1) {
      const c = dn[j] ?? '';
      if (c === ',' || c === '+') break;
      if (c === '\\') {
        const next = dn.slice(j + 1, j + 3);
        if (/^[0-9A-Fa-f]{2}$/.test(next)) {
          const bytes: number[] = [];
          while (dn[j] === '\\' && /^[0-9A-Fa-f]{2}$/.test(dn.slice(j + 1, j + 3))) {
            bytes.push(Number.parseInt(dn.slice(j + 1, j + 3), 16));
            j += 3;
          }
          j -= 1;
          value += Buffer.from(bytes).toString('utf8');
        } else if (next.length > 0 && ' "#+,;<=>\\'.includes(next[0] ?? '')) {
          value += next[0];
          j += 1;
        } else {
          throw new DnSyntaxError(`bad escape at position ${j + 1}`);
        }
        trailingSpaces = 0;
        continue;
      }
      if ('"<>;'.includes(c)) {
        throw new DnSyntaxError(`unescaped '${c}' at position ${j + 1}`);
      }
      trailingSpaces = c === ' ' ? trailingSpaces + 1 : 0;
      value += c;
    }
    value = trailingSpaces > 0 ? value.slice(0, -trailingSpaces) : value;
    if (value.length === 0) throw new DnSyntaxError(`empty value for '${type}'`);
    rdn.push({ type, value });
    const separator = dn[j];
    if (separator === '+') {
      i = j + 1;
      continue;
    }
    rdns.push(rdn);
    rdn = [];
    if (separator === undefined) break;
    i = j + 1;
    while (dn[i] === ' ') i += 1;
  }
  return rdns;
}

/** Whether `dn` parses. */
export function isValidDn(dn: string): boolean {
  try {
    parseDn(dn);
    return true;
  } catch {
    return false;
  }
}

/** Escapes a value for use inside an RDN (RFC 4514 §2.4). */
export function escapeDnValue(value: string): string {
  let escaped = value.replace(/[\\"+,;<>=]/g, (c) => `\\${c}`);
  escaped = replaceControlCharacters(escaped, (code) => `\\${code.toString(16).padStart(2, '0')}`);
  if (escaped.startsWith(' ') || escaped.startsWith('#')) escaped = `\\${escaped}`;
  if (escaped.endsWith(' ')) escaped = `${escaped.slice(0, -1)}\\ `;
  return escaped;
}

/**
 * A canonical form for comparing DNs as AD does: types and values
 * lower-cased, values unescaped then re-escaped, no spaces around separators.
 *
 * @throws DnSyntaxError when `dn` does not parse.
 */
export function normalizeDn(dn: string): string {
  return parseDn(dn)
    .map((rdn) =>
      rdn
        .map((ava) => `${ava.type.toLowerCase()}=${escapeDnValue(ava.value.toLowerCase())}`)
        .sort()
        .join('+'),
    )
    .join(',');
}
