import jsqr from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrt } from './support/factories.js';
import { startTestService, type TestService } from './support/service.js';

// jsqr is CommonJS with a default export: the function itself or under .default, by loader.
const jsqrModule = jsqr as unknown as typeof jsqr.default | { default: typeof jsqr.default };
const jsQR = typeof jsqrModule === 'function' ? jsqrModule : jsqrModule.default;

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ env: { NES_REG_CRT_QR_TTL_SECONDS: '2' } });
});
afterAll(() => svc?.stop());

async function fetchQr(id: string, token: string | null = svc.adminKey) {
  return fetch(`${svc.base}/admin/v1/crts/${id}/qr.png`, {
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
}

describe('QR code of a new CRT', () => {
  it('is a PNG whose QR code holds the MDM JSON, admin-only and never cached', async () => {
    const crt = await createCrt(svc);
    expect(crt.qrCode?.url).toBe(`/admin/v1/crts/${crt.crt.id}/qr.png`);
    const response = await fetchQr(crt.crt.id);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const png = PNG.sync.read(Buffer.from(await response.arrayBuffer()));
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).toBe(crt.mdmConfiguration);
    expect(JSON.parse(decoded?.data ?? '{}')).toEqual({
      token: crt.token,
      nesUrl: svc.config.publicUrl,
    });
    expect((await fetchQr(crt.crt.id, null)).status).toBe(401);
  });

  it('keeps the value encrypted in Redis, bound to its CRT', async () => {
    const crt = await createCrt(svc);
    const key = `${svc.config.redis.keyPrefix}crt-value:${crt.crt.id}`;
    const sealed = await svc.service.context.redis.get(key);
    expect(sealed).toMatch(/^v1\.k1\./);
    expect(sealed).not.toContain(crt.token);
    // Moved to another CRT's slot, it does not open.
    const other = await createCrt(svc);
    await svc.service.context.redis.set(
      `${svc.config.redis.keyPrefix}crt-value:${other.crt.id}`,
      sealed ?? '',
    );
    expect((await fetchQr(other.crt.id)).status).toBe(410);
  });

  it('answers 410 Gone after the TTL, after revocation, and 404 after deletion', async () => {
    const timed = await createCrt(svc);
    const revoked = await createCrt(svc);
    await fetch(`${svc.base}/admin/v1/crts/${revoked.crt.id}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${svc.adminKey}` },
    });
    const gone = await fetchQr(revoked.crt.id);
    expect(gone.status).toBe(410);
    expect(((await gone.json()) as { code: string }).code).toBe('crt_value_gone');
    expect(
      await svc.service.context.redis.get(
        `${svc.config.redis.keyPrefix}crt-value:${revoked.crt.id}`,
      ),
    ).toBeNull();
    await fetch(`${svc.base}/admin/v1/crts/${revoked.crt.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${svc.adminKey}` },
    });
    expect((await fetchQr(revoked.crt.id)).status).toBe(404);

    expect((await fetchQr(timed.crt.id)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2200));
    expect((await fetchQr(timed.crt.id)).status).toBe(410);
  });
});
