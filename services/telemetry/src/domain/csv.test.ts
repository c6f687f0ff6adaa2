import { describe, expect, it } from 'vitest';
import { csvCell, csvHeader } from './csv.js';

describe('csv', () => {
  it('quotes what RFC 4180 requires', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(42)).toBe('42');
  });

  it('defuses spreadsheet formulas', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+SUM(A1)')).toBe("'+SUM(A1)");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@cmd')).toBe("'@cmd");
  });

  it('has one header line with the guide attribute names', () => {
    expect(csvHeader()).toMatch(/^id,eventId,timestamp,.*AuthenticatorId.*\r\n$/);
  });
});
