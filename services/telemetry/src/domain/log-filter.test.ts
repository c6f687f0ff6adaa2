import { describe, expect, it } from 'vitest';
import {
  decodeCursor,
  encodeCursor,
  formatTailPosition,
  logFilterQuery,
  parseTailPosition,
  toLogFilter,
} from './log-filter.js';

describe('log filters and cursors', () => {
  it('parses filters and normalises BLE band ids', () => {
    const filter = toLogFilter(
      logFilterQuery.parse({
        authenticator: 'ble_mac_00:1a:7d:da:71:13',
        from: '2026-01-01T00:00:00Z',
      }),
    );
    expect(filter).toEqual({
      authenticator: 'BLE_MAC_00:1A:7D:DA:71:13',
      from: new Date('2026-01-01T00:00:00Z'),
    });
    expect(() => toLogFilter({ from: new Date(2), to: new Date(1) })).toThrow(/before/);
  });

  it('round-trips a cursor for its own filter only', () => {
    const filter = { user: 'NES\\ann' };
    const text = encodeCursor({ micros: '1764000000000000', id: '42' }, filter);
    expect(decodeCursor(text, filter)).toEqual({ micros: '1764000000000000', id: '42' });
    expect(() => decodeCursor(text, { user: 'NES\\bob' })).toThrow(/cursor/);
    expect(() => decodeCursor('not!base64', filter)).toThrow(/cursor/);
    expect(decodeCursor(undefined, filter)).toBeUndefined();
  });

  it('formats and parses live-tail positions', () => {
    const text = formatTailPosition({ txid: '1234', id: '99' });
    expect(parseTailPosition(text)).toEqual({ txid: '1234', id: '99' });
    expect(parseTailPosition(undefined)).toBeUndefined();
    expect(() => parseTailPosition('1234')).toThrow(/Last-Event-ID/);
  });
});
