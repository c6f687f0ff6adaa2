/**
 * Rules for human-readable text that NES stores and shows again (titles,
 * names, device identifiers): it must be well-formed Unicode, is stored in
 * NFC, and may not carry control characters or bidirectional formatting
 * characters (which let a name display as something else — the "Trojan
 * Source" trick). Combining characters are fine; lengths count code points
 * after normalisation.
 */

/** C0/C1 controls (NUL included) and DEL; multi-line text may keep \n, \r and \t. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/u;
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_MULTILINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
/** LRM, RLM, ALM, the embeddings/overrides and the isolates. */
const BIDI = /[\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]/u;

/** How a piece of text is checked. */
export interface TextRules {
  readonly min: number;
  readonly max: number;
  /** Allow line breaks and tabs (notes, descriptions). */
  readonly multiline?: boolean;
}

/** The cleaned text, or why it was refused (a phrase to append to the field's name). */
export type TextResult = { ok: true; value: string } | { ok: false; problem: string };

/** Number of code points (what a person counts as characters, near enough). */
export function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

/** Checks `raw` against `rules`; trims, normalises to NFC. */
export function cleanText(raw: string, rules: TextRules): TextResult {
  if (!raw.isWellFormed()) return { ok: false, problem: 'is not well-formed Unicode' };
  const value = raw.normalize('NFC').trim();
  if ((rules.multiline ? CONTROL_MULTILINE : CONTROL).test(value)) {
    return { ok: false, problem: 'must not contain control characters' };
  }
  if (BIDI.test(value)) {
    return { ok: false, problem: 'must not contain bidirectional formatting characters' };
  }
  const length = codePointLength(value);
  if (length < rules.min) {
    return {
      ok: false,
      problem: rules.min === 1 ? 'must not be empty' : `needs at least ${rules.min} characters`,
    };
  }
  if (length > rules.max) return { ok: false, problem: `exceeds ${rules.max} characters` };
  return { ok: true, value };
}

/**
 * Whether every string anywhere inside a JSON value is well-formed and free
 * of NUL (Postgres jsonb refuses \u0000), and the value nests at most
 * `maxDepth` levels.
 */
export function isStorableJson(value: unknown, maxDepth = 8): boolean {
  if (maxDepth < 0) return false;
  if (typeof value === 'string') return value.isWellFormed() && !value.includes('\u0000');
  if (Array.isArray(value)) return value.every((item) => isStorableJson(item, maxDepth - 1));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).every(
      ([key, item]) => isStorableJson(key, maxDepth) && isStorableJson(item, maxDepth - 1),
    );
  }
  return true;
}
