import { describe, expect, it } from 'vitest';

import { commonV1, directoryV1, healthV1, registrationV1, telemetryV1 } from './index.js';

describe('grpc.health.v1 wire compatibility', () => {
  // Bytes as the upstream definition encodes them: what grpc_health_probe
  // and kubelet send and expect.
  it('encodes requests and responses as the standard protocol does', () => {
    expect([...healthV1.HealthCheckRequest.encode({ service: 'x' }).finish()]).toEqual([
      0x0a, 0x01, 0x78,
    ]);
    const serving = { status: healthV1.HealthCheckResponse_ServingStatus.SERVING };
    expect([...healthV1.HealthCheckResponse.encode(serving).finish()]).toEqual([0x08, 0x01]);
    expect(healthV1.HealthCheckResponse.decode(Uint8Array.of(0x08, 0x03)).status).toBe(
      healthV1.HealthCheckResponse_ServingStatus.SERVICE_UNKNOWN,
    );
  });

  it('serves the standard method paths', () => {
    expect(healthV1.HealthService.check.path).toBe('/grpc.health.v1.Health/Check');
    expect(healthV1.HealthService.watch.path).toBe('/grpc.health.v1.Health/Watch');
    expect(healthV1.HealthService.watch.responseStream).toBe(true);
  });
});

describe('generated messages', () => {
  it('models a oneof as a tagged union, on the wire and in JSON', () => {
    const request: directoryV1.GetUserRequest = {
      lookup: { $case: 'account', value: 'EXAMPLE\\alice' },
    };
    const decoded = directoryV1.GetUserRequest.decode(
      directoryV1.GetUserRequest.encode(request).finish(),
    );
    expect(decoded).toEqual(request);
    expect(directoryV1.GetUserRequest.toJSON(request)).toEqual({ account: 'EXAMPLE\\alice' });
    expect(directoryV1.GetUserRequest.fromJSON({ upn: 'alice@example.test' }).lookup).toEqual({
      $case: 'upn',
      value: 'alice@example.test',
    });
  });

  it('keeps timestamps to the millisecond and int64 exactly', () => {
    const user = directoryV1.User.fromPartial({
      guid: 'g-1',
      pwdLastSet: new Date('2026-03-04T05:06:07.089Z'),
      usnChanged: -9_223_372_036_854_775_808n,
      groups: [{ name: 'NES Admins', distinguishedName: 'CN=NES Admins,DC=example,DC=test' }],
    });
    const decoded = directoryV1.User.decode(directoryV1.User.encode(user).finish());
    expect(decoded).toEqual(user);
    expect(decoded.pwdLastSet?.getTime()).toBe(Date.parse('2026-03-04T05:06:07.089Z'));
    expect(decoded.usnChanged).toBe(-9_223_372_036_854_775_808n);
  });

  it('refuses to encode an int64 that does not fit', () => {
    const user = directoryV1.User.fromPartial({ usnChanged: 2n ** 63n });
    expect(() => directoryV1.User.encode(user)).toThrow(/too large/);
  });

  it('writes enums by name and reads them by name or number', () => {
    const response: registrationV1.GetClientResponse = {
      client: registrationV1.Client.fromPartial({
        clientId: 'c-1',
        status: registrationV1.ClientStatus.DELETED,
        createdBy: { type: commonV1.ActorType.SERVICE, id: 'registration', display: 'nes-1' },
      }),
    };
    const json = registrationV1.GetClientResponse.toJSON(response);
    expect(json).toEqual({
      client: {
        clientId: 'c-1',
        status: 'CLIENT_STATUS_DELETED',
        createdBy: { type: 'ACTOR_TYPE_SERVICE', id: 'registration', display: 'nes-1' },
      },
    });
    expect(registrationV1.GetClientResponse.fromJSON(json)).toEqual(response);
    expect(registrationV1.Client.fromJSON({ status: 2 }).status).toBe(
      registrationV1.ClientStatus.DELETED,
    );
  });

  it('round-trips a telemetry event with every attribute', () => {
    const event: telemetryV1.TelemetryEvent = {
      eventType: 'TapAuthentication',
      eventTime: new Date('2026-10-20T22:54:16.365Z'),
      category: 'Audit',
      subCategory: 'Authentication',
      producer: 'NCA',
      producerVersion: '1.4.2',
      osType: 'Android',
      hostId: 'a1b2c3d4e5f60718',
      userId: 'example\\alice',
      authenticatorId: 'BLE_MAC_00:1A:7D:DA:71:13',
      secondaryAuthenticatorId: 'NFC_3B8F7E2100',
      appProcessName: 'chrome.exe',
      appUrl: 'https://mes.example.test/login',
      appWindowTitle: 'MES — sign in',
      totalElapsedMs: 850,
      details: 'autofilled',
      severity: telemetryV1.LogLevel.INFORMATION,
      level: telemetryV1.LogLevel.INFORMATION,
      message: 'tap authenticated',
      exception: '',
      source: 'AutofillService',
      clientIp: '10.1.2.3',
      clientId: 'c-1',
      clientName: 'SN123 mdm-uuid',
      appName: 'Nymi Connect',
      hostName: 'SM-M315F',
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      receivedAt: new Date('2026-10-20T22:54:16.900Z'),
      clientEventId: '5d3c9a4e-0c7b-4f53-9a4e-2b1f0d6c7e81',
    };
    const { TelemetryEvent } = telemetryV1;
    expect(TelemetryEvent.decode(TelemetryEvent.encode(event).finish())).toEqual(event);
    expect(TelemetryEvent.fromJSON(TelemetryEvent.toJSON(event))).toEqual(event);
  });

  it('carries the page cursor opaquely', () => {
    const response = directoryV1.ListUsersResponse.fromPartial({
      users: [{ guid: 'g-1' }],
      page: { nextPageToken: 'b3BhcXVl' },
    });
    const json = directoryV1.ListUsersResponse.toJSON(response);
    expect(json).toEqual({ users: [{ guid: 'g-1' }], page: { nextPageToken: 'b3BhcXVl' } });
  });
});
