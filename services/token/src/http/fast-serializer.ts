import fastJson from 'fast-json-stringify';
import { z } from 'zod';

/**
 * A per-route serializer compiler for the hottest routes: the route's zod
 * response schemas (still what the OpenAPI document shows) are turned into
 * JSON Schema once and compiled by fast-json-stringify, which writes the
 * known fields with a generated function instead of walking the object
 * (kit's default checks every response with zod, then JSON.stringify).
 * Only declared fields are written, so an undeclared field cannot leak.
 */
export function fastSerializerCompiler(route: { schema: unknown }): (data: unknown) => string {
  if (!(route.schema instanceof z.ZodType)) {
    throw new TypeError('fastSerializerCompiler expects zod response schemas');
  }
  const jsonSchema = z.toJSONSchema(route.schema, { target: 'draft-7', io: 'output' });
  return fastJson(jsonSchema as Parameters<typeof fastJson>[0]);
}
