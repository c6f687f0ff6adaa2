import { describe, expect, it, vi } from 'vitest';

import type { CatalogEntry } from './catalog.js';
import { createCatalogEvent, createEvent, eventFactory } from './create-event.js';
import { InvalidEventError, parseEvent, validEventJson } from './parse-event.js';
import { encodeEvent } from './cloud-event.js';

interface ClientCreated {
  clientId: string;
  createdAtMs: number;
}

const clientCreated: CatalogEntry<ClientCreated> = {
  topic: 'nes.registration.v1',
  codec: {
    fromJSON: (json) => json as ClientCreated,
    toJSON: (value) => ({ clientId: value.clientId, createdAt: String(value.createdAtMs) }),
  },
  key: (payload) => payload.clientId,
};
const catalog = { 'nes.client.created.v1': clientCreated };

describe('createEvent', () => {
  it('fills in id (UUIDv7), time, content type and subject', () => {
    const { topic, event } = createEvent({
      topic: 't',
      type: 'nes.test.v1',
      source: 'nes/test',
      key: 'k1',
      data: { a: 1 },
    });
    expect(topic).toBe('t');
    expect(event.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(event).toMatchObject({
      specversion: '1.0',
      datacontenttype: 'application/json',
      subject: 'k1',
      partitionkey: 'k1',
    });
    expect(Date.parse(event.time)).toBeGreaterThan(Date.now() - 5000);
    expect(event).not.toHaveProperty('traceparent');
    expect(parseEvent(encodeEvent(event)).ok).toBe(true);
  });

  it('gives later events greater ids (time-ordered v7)', () => {
    const ids = Array.from(
      { length: 50 },
      () =>
        createEvent({ topic: 't', type: 'nes.test.v1', source: 's', key: 'k', data: {} }).event.id,
    );
    expect([...ids].sort()).toEqual(ids);
  });

  it('refuses an invalid event instead of producing it', () => {
    expect(() =>
      createEvent({ topic: 't', type: 'Bad Type', source: 's', key: 'k', data: {} }),
    ).toThrow(InvalidEventError);
    expect(() =>
      createEvent({ topic: 't', type: 'nes.test.v1', source: 's', key: 'k', data: undefined }),
    ).toThrow(/data/);
  });

  it('freezes the envelope and serialises it once: enqueue and publish reuse that text', () => {
    const { event } = createEvent({
      topic: 't',
      type: 'nes.test.v1',
      source: 's',
      key: 'k',
      data: { a: 1 },
    });
    expect(Object.isFrozen(event)).toBe(true);
    const stringify = vi.spyOn(JSON, 'stringify');
    try {
      expect(validEventJson(event)).toBe(encodeEvent(event).toString('utf8'));
      expect(stringify).toHaveBeenCalledTimes(1); // encodeEvent's, not validEventJson's
    } finally {
      stringify.mockRestore();
    }
    // The size bound of the caller still applies to a sealed envelope.
    expect(() => validEventJson(event, 10)).toThrow(InvalidEventError);
    // A copy is not the sealed object: it is validated afresh.
    expect(() => validEventJson({ ...event, type: 'Bad Type' })).toThrow(InvalidEventError);
  });
});

describe('createCatalogEvent / eventFactory', () => {
  const payload = { clientId: 'c-1', createdAtMs: 1700 };

  it('takes topic, key and proto3 JSON from the catalog', () => {
    const out = createCatalogEvent(catalog, 'nes.client.created.v1', payload, {
      source: 'nes/registration',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    expect(out.topic).toBe('nes.registration.v1');
    expect(out.event).toMatchObject({
      type: 'nes.client.created.v1',
      partitionkey: 'c-1',
      data: { clientId: 'c-1', createdAt: '1700' },
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
  });

  it('binds the source once', () => {
    const produce = eventFactory(catalog, 'nes/registration');
    const out = produce('nes.client.created.v1', payload, { subject: 'client/c-1' });
    expect(out.event.source).toBe('nes/registration');
    expect(out.event.subject).toBe('client/c-1');
  });

  it('rejects a type outside the catalog at run time too', () => {
    const loose: Record<string, CatalogEntry<unknown>> = catalog;
    expect(() => createCatalogEvent(loose, 'nes.unknown.v1', {}, { source: 's' })).toThrow(
      /unknown event type nes.unknown.v1/,
    );
  });
});
