/**
 * The shape of an event catalog (CloudEvents type → topic, payload codec,
 * key). `@nes/proto` exports the real one; the bus only relies on this shape,
 * so it stays independent of the generated code.
 */

/** proto3 JSON codec of a payload (what ts-proto generates per message). */
export interface PayloadCodec<T> {
  fromJSON(json: unknown): T;
  toJSON(value: T): unknown;
}

/** One catalog row. Methods (not function properties) keep entries assignable across payload types. */
export interface CatalogEntry<T> {
  readonly topic: string;
  readonly codec: PayloadCodec<T>;
  key(payload: T): string;
}

/** CloudEvents type → entry. */
export type EventCatalog = { readonly [type: string]: CatalogEntry<unknown> };

/** The payload type of catalog entry `K`. */
export type PayloadOf<C extends EventCatalog, K extends keyof C> =
  C[K] extends CatalogEntry<infer T> ? T : never;
