import { describe, expect, it } from 'vitest';

import { Waker } from './waker.js';

describe('Waker', () => {
  it('wakes a waiter early on notify', async () => {
    const waker = new Waker();
    const started = Date.now();
    const waiting = waker.wait(5000);
    waker.notify();
    await waiting;
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('remembers a notify that came while nobody waited, once', async () => {
    const waker = new Waker();
    waker.notify();
    const started = Date.now();
    await waker.wait(5000);
    expect(Date.now() - started).toBeLessThan(1000);
    const second = Date.now();
    await waker.wait(30);
    expect(Date.now() - second).toBeGreaterThanOrEqual(25);
  });

  it('returns on abort', async () => {
    const waker = new Waker();
    const controller = new AbortController();
    const waiting = waker.wait(5000, controller.signal);
    controller.abort();
    await expect(waiting).resolves.toBeUndefined();
  });
});
