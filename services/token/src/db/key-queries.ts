import type { Executor } from '@nes/kit';
import type { PublicJwk, SigningAlgorithm } from '../keys/signing-algorithms.js';

/** A row of `signing_key`. */
export interface SigningKeyRow {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly publicJwk: PublicJwk;
  readonly kekId: string;
  readonly sealedPrivateKey: Buffer;
  readonly createdAt: Date;
  readonly activatesAt: Date;
}

const COLUMNS = `kid, alg, public_jwk AS "publicJwk", kek_id AS "kekId",
  sealed_private_key AS "sealedPrivateKey", created_at AS "createdAt", activates_at AS "activatesAt"`;

/** Every stored key, oldest activation first. */
export async function listSigningKeys(db: Executor): Promise<SigningKeyRow[]> {
  const { rows } = await db.query<SigningKeyRow>(
    `SELECT ${COLUMNS} FROM signing_key ORDER BY activates_at`,
  );
  return rows;
}

/** Stores a new key. */
export async function insertSigningKey(db: Executor, row: SigningKeyRow): Promise<void> {
  await db.query(
    `INSERT INTO signing_key (kid, alg, public_jwk, kek_id, sealed_private_key, created_at, activates_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      row.kid,
      row.alg,
      JSON.stringify(row.publicJwk),
      row.kekId,
      row.sealedPrivateKey,
      row.createdAt,
      row.activatesAt,
    ],
  );
}

/** Replaces a key's ciphertext (re-sealed under the current key-encryption key). */
export async function updateSealedKey(
  db: Executor,
  kid: string,
  kekId: string,
  sealed: Buffer,
): Promise<void> {
  await db.query('UPDATE signing_key SET kek_id = $2, sealed_private_key = $3 WHERE kid = $1', [
    kid,
    kekId,
    sealed,
  ]);
}

/** Deletes keys whose tokens have all expired. */
export async function deleteSigningKeys(db: Executor, kids: readonly string[]): Promise<number> {
  if (kids.length === 0) return 0;
  const result = await db.query('DELETE FROM signing_key WHERE kid = ANY($1::text[])', [kids]);
  return result.rowCount ?? 0;
}

/** The transaction-scoped advisory lock that lets one replica at a time change the key set. */
export const KEY_ROTATION_LOCK = 'nes-token:signing-key-rotation';

/**
 * Takes the rotation lock for the rest of the transaction, waiting (bounded
 * by a 10 s lock timeout) while another replica holds it: after it commits,
 * the caller reads the keys again and finds the work done.
 */
export async function takeRotationLock(db: Executor): Promise<void> {
  await db.query("SET LOCAL lock_timeout = '10s'");
  await db.query(`SELECT pg_advisory_xact_lock(('x' || left(md5($1), 16))::bit(64)::bigint)`, [
    KEY_ROTATION_LOCK,
  ]);
}
