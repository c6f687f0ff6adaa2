import { corruptText, mutateJson, pick, seededRandom } from '@nes/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisteredTestClient } from './support/registration.js';
import { basicAuth, form, startStack, type TestStack } from './support/stack.js';

// A stack of its own: hundreds of failed authentications from one address
// trip the brute-force limits, which other test files must not inherit.
let stack: TestStack;
let client: RegisteredTestClient;

beforeAll(async () => {
  stack = await startStack();
  client = await stack.registration.registerClient();
});
afterAll(() => stack?.stop());

/** RFC 6749 §5.2 error codes. */
const OAUTH_ERRORS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
];

/** Any value as a form or header string (lone surrogates made U+FFFD, as fetch would send them). */
const text = (value: unknown) =>
  (typeof value === 'string' ? value : (JSON.stringify(value) ?? '')).toWellFormed();

/** A header value fetch will send: printable ASCII, trimmed. */
const headerSafe = (value: string) => value.replace(/[^\x20-\x7e]/g, '?').trim();

describe('POST /oauth2/token with mutated requests', () => {
  it('answers a token or an RFC 6749 error to every mutation, never a 5xx', async () => {
    const url = `${stack.token.base}/oauth2/token`;
    const secret = String(client.client_secret);
    const outcomes = new Map<string, number>();
    for (let seed = 1; seed <= 300; seed += 1) {
      const random = seededRandom(seed);
      // The request's parts, each valid to begin with, one or more of them changed.
      let params: unknown = { grant_type: 'client_credentials', scope: client.scope ?? '' };
      let credentials: unknown = { id: client.client_id, secret };
      let contentType = 'application/x-www-form-urlencoded';
      let style = pick(['basic', 'basic', 'post', 'none', 'raw'] as const, random);
      for (let changes = 1 + Math.floor(random() * 3); changes > 0; changes -= 1) {
        const part = Math.floor(random() * 4);
        if (part === 0) params = mutateJson(params, random);
        else if (part === 1) credentials = mutateJson(credentials, random);
        else if (part === 2) style = pick(['basic', 'post', 'none', 'raw'] as const, random);
        else {
          contentType = pick(
            [
              'application/json',
              'text/plain',
              'application/x-www-form-urlencoded; charset=iso-8859-1',
              'multipart/form-data; boundary=x',
              '',
            ],
            random,
          );
        }
      }
      const fields: Record<string, string> = {};
      if (params !== null && typeof params === 'object' && !Array.isArray(params)) {
        for (const [name, value] of Object.entries(params)) fields[name] = text(value);
      }
      const { id, secret: password } = (
        credentials !== null && typeof credentials === 'object' ? credentials : {}
      ) as { id?: unknown; secret?: unknown };
      const headers: Record<string, string> = {};
      if (contentType !== '') headers['content-type'] = contentType;
      if (style === 'basic') headers.authorization = basicAuth(text(id), text(password));
      if (style === 'raw') {
        headers.authorization = headerSafe(
          corruptText(
            `Basic ${Buffer.from(`${text(id)}:${text(password)}`).toString('base64')}`,
            random,
          ),
        );
      }
      if (style === 'post') {
        fields.client_id = text(id);
        fields.client_secret = text(password);
      }
      let body = form(fields);
      if (random() < 0.3) body = corruptText(body, random);

      const response = await fetch(url, { method: 'POST', headers, body });
      const replyText = await response.text();
      const label = `seed ${seed}: ${response.status} ${replyText.slice(0, 200)} for ${JSON.stringify(headers)} ${body.slice(0, 200)}`;
      expect(response.status, label).toBeLessThan(500);
      const reply = JSON.parse(replyText) as Record<string, unknown>;
      if (response.status === 200) {
        expect(reply.access_token, label).toEqual(expect.any(String));
        expect(reply.token_type, label).toBe('Bearer');
      } else {
        expect([400, 401, 413, 415, 429], label).toContain(response.status);
        expect(OAUTH_ERRORS, label).toContain(reply.error);
      }
      const outcome = `${response.status} ${response.status === 200 ? '' : text(reply.error)}`;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    // Grants, refused clients and refused requests all occurred: the mutations
    // reached every branch rather than all failing at the first check.
    const seen = JSON.stringify([...outcomes]);
    for (const outcome of ['200 ', '401 invalid_client', '400 invalid_request']) {
      expect(outcomes.get(outcome), seen).toBeGreaterThan(10);
    }
    expect((await fetch(`${stack.token.base}/readyz`)).status).toBe(200);
  });
});
