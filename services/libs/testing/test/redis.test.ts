import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { getInfra, uniqueName } from '../src/index.js';

describe('redis', () => {
  it('answers PING and keeps a key', async () => {
    const client = createClient({ url: getInfra().redis.url });
    await client.connect();
    try {
      expect(await client.ping()).toBe('PONG');
      const key = uniqueName('k');
      await client.set(key, 'v', { expiration: { type: 'PX', value: 10_000 } });
      expect(await client.get(key)).toBe('v');
    } finally {
      client.destroy();
    }
  });
});
