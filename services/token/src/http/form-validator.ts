import type { FastifySchemaValidationError } from 'fastify';
import { z } from 'zod';

type FormValidation =
  { readonly value: Record<string, string> } | { readonly error: FastifySchemaValidationError[] };

function issue(path: string, keyword: string, message: string): FastifySchemaValidationError[] {
  return [{ keyword, instancePath: path, schemaPath: `#${path}`, params: {}, message }];
}

/**
 * A per-route validator compiler for the hottest OAuth form: the route's zod
 * body schema (still what the OpenAPI document shows) must be an object of
 * optional, length-bounded strings, and is checked by hand with the same
 * rules — each known parameter absent or a string within its bound, unknown
 * parameters dropped — without zod's per-request parse. A schema of any
 * other shape is refused when the route is registered, so the hand check
 * cannot silently drift from it.
 */
export function boundedFormValidatorCompiler(route: {
  schema: unknown;
}): (data: unknown) => FormValidation {
  if (!(route.schema instanceof z.ZodType)) {
    throw new TypeError('boundedFormValidatorCompiler expects a zod body schema');
  }
  const json = z.toJSONSchema(route.schema, { io: 'input' }) as {
    type?: unknown;
    required?: unknown;
    properties?: Record<string, { type?: unknown; maxLength?: unknown }>;
  };
  const fields: [name: string, max: number][] = [];
  for (const [name, property] of Object.entries(json.properties ?? {})) {
    if (property.type !== 'string' || typeof property.maxLength !== 'number') {
      throw new TypeError(`form field '${name}' must be a bounded string`);
    }
    fields.push([name, property.maxLength]);
  }
  if (json.type !== 'object' || (Array.isArray(json.required) && json.required.length > 0)) {
    throw new TypeError('boundedFormValidatorCompiler expects an object of optional fields');
  }
  return (data) => {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      return { error: issue('', 'type', 'Invalid input: expected object') };
    }
    const record = data as Record<string, unknown>;
    const value: Record<string, string> = {};
    for (const [name, max] of fields) {
      const field = Object.hasOwn(record, name) ? record[name] : undefined;
      if (field === undefined) continue;
      if (typeof field !== 'string') {
        return { error: issue(`/${name}`, 'type', 'Invalid input: expected string') };
      }
      if (field.length > max) {
        return {
          error: issue(
            `/${name}`,
            'maxLength',
            `Too big: expected string to have <=${max} characters`,
          ),
        };
      }
      value[name] = field;
    }
    return { value };
  };
}
