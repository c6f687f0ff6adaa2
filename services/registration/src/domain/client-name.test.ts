import { describe, expect, it } from 'vitest';
import { deriveClientName } from './client-name.js';

const none = { deviceInfo1: '', deviceInfo2: '', androidId: '', clientName: '' };
const id = '7bca2144-7926-4b30-8000-000000000000';

describe('deriveClientName', () => {
  it('joins device_info_1 and device_info_2 when the MDM set them', () => {
    expect(
      deriveClientName(
        { ...none, deviceInfo1: 'R58M1', deviceInfo2: 'uuid-9', androidId: 'a1' },
        id,
      ),
    ).toBe('R58M1-uuid-9');
  });

  it('uses the one device identifier that is set', () => {
    expect(deriveClientName({ ...none, deviceInfo2: 'uuid-9', androidId: 'a1' }, id)).toBe(
      'uuid-9',
    );
  });

  it('falls back to the Android ID, then client_name, then the client id', () => {
    expect(deriveClientName({ ...none, androidId: 'bf75d75e802edb8b', clientName: 'x' }, id)).toBe(
      'bf75d75e802edb8b',
    );
    expect(deriveClientName({ ...none, clientName: 'Kiosk' }, id)).toBe('Kiosk');
    expect(deriveClientName(none, id)).toBe('client-7bca2144');
  });
});
