import type { DescEnum, DescMessage, DescService } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';

import { protoRegistry } from './index.js';

// The house rules of proto/README.md, checked on the compiled descriptors so
// that a new .proto file cannot quietly break them.

const nesTypes = [...protoRegistry()].filter((type) => type.typeName.startsWith('nes.'));
const enums = nesTypes.filter((type): type is DescEnum => type.kind === 'enum');
const messages = nesTypes.filter((type): type is DescMessage => type.kind === 'message');
const services = nesTypes.filter((type): type is DescService => type.kind === 'service');

/** `CrtStatus` → `CRT_STATUS`. */
function screamingSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

describe('proto conventions', () => {
  it('finds the NES packages in the embedded descriptors', () => {
    const packages = new Set(
      [...protoRegistry().files]
        .map((file) => file.proto.package)
        .filter((name) => name.startsWith('nes.')),
    );
    expect([...packages].sort()).toEqual([
      'nes.common.v1',
      'nes.credential.v1',
      'nes.directory.v1',
      'nes.registration.v1',
      'nes.tap.v1',
      'nes.telemetry.v1',
    ]);
  });

  it('puts every file in the folder its versioned package names', () => {
    for (const file of protoRegistry().files) {
      if (!file.proto.package.startsWith('nes.')) continue;
      expect(file.proto.name.startsWith(`${file.proto.package.replaceAll('.', '/')}/`)).toBe(true);
      expect(file.proto.package).toMatch(/^nes\.[a-z]+\.v[1-9][0-9]*$/);
    }
  });

  it.each(enums.map((e) => [e.typeName, e] as const))(
    '%s: prefixed values, zero is UNSPECIFIED',
    (_name, descEnum) => {
      const prefix = `${screamingSnake(descEnum.name)}_`;
      expect(descEnum.values.find((value) => value.number === 0)?.name).toBe(
        `${prefix}UNSPECIFIED`,
      );
      for (const value of descEnum.values) expect(value.name.startsWith(prefix)).toBe(true);
    },
  );

  it('names fields in lower_snake_case', () => {
    const offenders = messages.flatMap((message) =>
      message.fields
        .filter((field) => !/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(field.name))
        .map((field) => `${message.typeName}.${field.name}`),
    );
    expect(offenders).toEqual([]);
  });

  it('gives every RPC its own Request and Response messages', () => {
    expect(services.length).toBeGreaterThan(0);
    for (const service of services) {
      expect(service.name.endsWith('Service')).toBe(true);
      for (const method of service.methods) {
        expect(method.input.name).toBe(`${method.name}Request`);
        expect(method.output.name).toBe(`${method.name}Response`);
      }
    }
  });
});
