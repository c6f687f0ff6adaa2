-- The registration service's tables (schema `oauth`, set by the runner): the
-- guide's oauth.InitialAccessToken, oauth.Client and oauth.ClientAppPermission.
-- Secrets are stored as lower-case hex SHA-256 only. Rows are never deleted:
-- deletion is a timestamp (the guide: "removes it from the console but not the
-- database").

-- The applications a CRT registers clients for; the service's APP_SCOPES list
-- mirrors these rows (a test keeps them equal). audit_code is the value the
-- audit tables store (2 = Nymi Connect for Android).
CREATE TABLE app_scope (
  name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9-]{0,63}$'),
  display_name text NOT NULL,
  audit_code integer NOT NULL UNIQUE
);

INSERT INTO app_scope (name, display_name, audit_code)
VALUES ('nymi-connect', 'Nymi Connect - Nymi Connect Application', 2);

-- Client Registration Tokens (OAuth 2.0 initial access tokens). Status is not
-- stored: it follows from revoked_at and expires_at when asked.
CREATE TABLE initial_access_token (
  id uuid PRIMARY KEY,
  -- Keyset pagination order (newest first) and nothing else.
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  -- What titles are unique by (case-folded, compatibility-normalised; computed
  -- by the service, independent of the server's locale).
  title_key text NOT NULL,
  token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  -- kid of the key that signed the token (rotation bookkeeping).
  signing_kid text NOT NULL CHECK (char_length(signing_kid) BETWEEN 1 AND 64),
  scope text NOT NULL REFERENCES app_scope (name),
  details text NOT NULL DEFAULT '' CHECK (char_length(details) <= 4000),
  expires_at timestamptz NOT NULL,
  max_clients integer NOT NULL CHECK (max_clients >= 0),
  client_count integer NOT NULL DEFAULT 0 CHECK (client_count >= 0),
  last_used_at timestamptz,
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,
  modified_at timestamptz NOT NULL,
  modified_by text NOT NULL,
  revoked_at timestamptz,
  revoked_by text,
  deleted_at timestamptz,
  deleted_by text,
  CHECK ((revoked_at IS NULL) = (revoked_by IS NULL)),
  CHECK ((deleted_at IS NULL) = (deleted_by IS NULL))
);

-- Titles are unique among the CRTs the console shows, ignoring case; a
-- deleted CRT's title may be used again.
CREATE UNIQUE INDEX initial_access_token_title_key
  ON initial_access_token (title_key) WHERE deleted_at IS NULL;
CREATE INDEX initial_access_token_scope_idx ON initial_access_token (scope);
CREATE INDEX initial_access_token_listed_idx
  ON initial_access_token (seq DESC) WHERE deleted_at IS NULL;

-- OAuth clients registered through dynamic client registration.
CREATE TABLE client (
  client_id uuid PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  -- Display name (device_info_1-device_info_2, else the Android ID); renamable.
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 255),
  -- NULL for clients that authenticate with private_key_jwt.
  secret_hash text CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
  -- NULL: the secret does not expire.
  secret_expires_at timestamptz,
  registration_access_token_hash text NOT NULL CHECK (registration_access_token_hash ~ '^[0-9a-f]{64}$'),
  registration_access_token_issued_at timestamptz NOT NULL,
  -- RFC 7591 metadata as registered.
  client_name text NOT NULL DEFAULT '',
  grant_types text[] NOT NULL,
  token_endpoint_auth_method text NOT NULL
    CHECK (token_endpoint_auth_method IN ('client_secret_basic', 'client_secret_post', 'private_key_jwt')),
  jwks jsonb,
  software_id text NOT NULL DEFAULT '',
  software_version text NOT NULL DEFAULT '',
  -- Device facts (Nymi Connect's registration fields).
  app_name text NOT NULL DEFAULT '',
  app_version text NOT NULL DEFAULT '',
  os_type text NOT NULL DEFAULT '',
  host_name text NOT NULL DEFAULT '',
  device_info_1 text NOT NULL DEFAULT '',
  device_info_2 text NOT NULL DEFAULT '',
  android_id text NOT NULL DEFAULT '',
  -- Lineage: the CRT the client registered with, and that CRT's token hash
  -- (audit.client InitialAccessTokenID) so audits need no join.
  crt_id uuid NOT NULL REFERENCES initial_access_token (id),
  crt_token_hash text NOT NULL CHECK (crt_token_hash ~ '^[0-9a-f]{64}$'),
  registration_type text NOT NULL CHECK (registration_type IN ('dynamic')),
  -- The address the registration came from (after trusted proxies).
  client_ip text NOT NULL CHECK (char_length(client_ip) <= 64),
  created_at timestamptz NOT NULL,
  -- Host name of the NES replica that handled the registration (the guide's CreatedBy).
  created_by text NOT NULL,
  modified_at timestamptz NOT NULL,
  modified_by text NOT NULL,
  deleted_at timestamptz,
  deleted_by text,
  CHECK ((deleted_at IS NULL) = (deleted_by IS NULL))
);

CREATE INDEX client_crt_id_idx ON client (crt_id);
CREATE INDEX client_listed_idx ON client (seq DESC) WHERE deleted_at IS NULL;

-- Which scopes (application permissions) each client holds.
CREATE TABLE client_app_permission (
  client_id uuid NOT NULL REFERENCES client (client_id),
  scope text NOT NULL REFERENCES app_scope (name),
  granted_at timestamptz NOT NULL,
  PRIMARY KEY (client_id, scope)
);

CREATE INDEX client_app_permission_scope_idx ON client_app_permission (scope);
