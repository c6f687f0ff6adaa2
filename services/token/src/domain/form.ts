import { InvalidRequestError } from '@nes/kit';

/** Most parameters one OAuth form body may carry. */
export const MAX_FORM_PARAMETERS = 32;

/**
 * Parses an application/x-www-form-urlencoded body (WHATWG rules: `+` is a
 * space, `%XX` an octet). RFC 6749 §3.2: parameters must not be repeated,
 * so a repeated one is an invalid_request rather than first- or last-wins.
 *
 * @throws InvalidRequestError on a repeated parameter or too many of them.
 */
export function parseForm(text: string): Record<string, string> {
  const result: Record<string, string> = Object.create(null) as Record<string, string>;
  let count = 0;
  for (const [name, value] of new URLSearchParams(text)) {
    count += 1;
    if (count > MAX_FORM_PARAMETERS) {
      throw new InvalidRequestError(`at most ${MAX_FORM_PARAMETERS} parameters are accepted`);
    }
    if (Object.hasOwn(result, name)) {
      throw new InvalidRequestError(`parameter '${name.slice(0, 64)}' is repeated`);
    }
    result[name] = value;
  }
  return result;
}
