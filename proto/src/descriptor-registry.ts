import {
  createFileRegistry,
  fromBinary,
  type DescMessage,
  type FileRegistry,
} from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

import { descriptorSetBase64 } from './gen/descriptors.js';

let registry: FileRegistry | undefined;

/**
 * Reflection over every NES .proto file (and the well-known types they
 * import), built from the descriptor set codegen embeds. ts-proto's own code
 * has no descriptors; this is what strict proto3 JSON checks and, later, gRPC
 * server reflection use. Built on first use and shared.
 */
export function protoRegistry(): FileRegistry {
  registry ??= createFileRegistry(
    fromBinary(FileDescriptorSetSchema, Buffer.from(descriptorSetBase64, 'base64')),
  );
  return registry;
}

/**
 * The descriptor of a message by its fully qualified name (a ts-proto codec's
 * `$type`). Throws when the name is unknown: that is a codegen bug, not bad
 * input.
 */
export function messageDescriptor(typeName: string): DescMessage {
  const descriptor = protoRegistry().getMessage(typeName);
  if (descriptor === undefined) {
    throw new Error(`No message ${typeName} in the NES descriptor set; run the proto codegen.`);
  }
  return descriptor;
}
