/** Whether `text` contains a C0 control character (NUL included) or DEL. */
export function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Replaces each control character by `\xx` (its hex code) via `escape`. */
export function replaceControlCharacters(text: string, escape: (code: number) => string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? escape(code) : char;
  }
  return out;
}
