-- Signing keys of access tokens. Private keys are stored only sealed
-- (AES-256-GCM under a key-encryption key from configuration, bound to the
-- row's kid and alg as additional authenticated data); public keys as the
-- JWK the JWKS publishes. A key signs from activates_at until the next key's
-- activates_at; rows are deleted once every token they signed has expired.
CREATE TABLE signing_key (
  kid text PRIMARY KEY CHECK (kid ~ '^[A-Za-z0-9_-]{1,128}$'),
  alg text NOT NULL CHECK (alg IN ('ES256', 'EdDSA')),
  public_jwk jsonb NOT NULL CHECK (jsonb_typeof(public_jwk) = 'object'),
  kek_id text NOT NULL CHECK (length(kek_id) BETWEEN 1 AND 64),
  sealed_private_key bytea NOT NULL CHECK (length(sealed_private_key) > 28),
  created_at timestamptz NOT NULL,
  -- One key per activation instant: the schedule never has two current keys.
  activates_at timestamptz NOT NULL UNIQUE
);
