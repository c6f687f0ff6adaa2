import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor.js';

describe('cursors', () => {
  it('round-trip the position for the same filter', () => {
    const cursor = encodeCursor('12345', 'crts:active');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 'crts:active')).toBe('12345');
    expect(decodeCursor(undefined, 'crts:active')).toBeUndefined();
    expect(decodeCursor('', 'crts:active')).toBeUndefined();
  });

  it('refuse cursors of another filter, tampered or foreign ones', () => {
    const cursor = encodeCursor('12', 'crts:active');
    const bad = [
      `${cursor}x`,
      'garbage!',
      Buffer.from('{"v":1,"s":"-1","f":"crts:active"}').toString('base64url'),
      Buffer.from('{"v":1,"s":"1 OR 1=1","f":"crts:active"}').toString('base64url'),
      Buffer.from('[1]').toString('base64url'),
      'A'.repeat(300),
    ];
    expect(() => decodeCursor(cursor, 'crts:all')).toThrow(
      expect.objectContaining({ code: 'invalid_cursor' }),
    );
    for (const text of bad) expect(() => decodeCursor(text, 'crts:active'), text).toThrow(/cursor/);
  });
});
