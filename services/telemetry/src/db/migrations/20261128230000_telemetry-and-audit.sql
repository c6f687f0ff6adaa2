-- The telemetry service's tables. The runner applies this file in schema
-- `telemetry` (search_path), which also holds @nes/bus' outbox and
-- processed_event; the audit tables live in schema `audit`, also owned by
-- this service. Column names follow the guide's telemetry.log,
-- audit.client and audit.InitialAccessToken, in snake_case.

-- Client event ids seen per client, for idempotent ingest: a retried batch
-- finds its events here and is not enqueued again. Pruned after the
-- configured retention (the de-duplication window).
CREATE TABLE ingest_receipt (
  client_id text NOT NULL CHECK (char_length(client_id) BETWEEN 1 AND 128),
  client_event_id text NOT NULL CHECK (char_length(client_event_id) BETWEEN 1 AND 128),
  -- The CloudEvents id the event was published under.
  event_id uuid NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (client_id, client_event_id)
);

CREATE INDEX ingest_receipt_received_at_idx ON ingest_receipt (received_at);

-- The guide's Telemetry.log: one row per audit event reported by a device.
CREATE TABLE log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The CloudEvents id on nes.audit.v1 (analysts can match a row to the stream).
  event_id uuid NOT NULL,
  -- When NES recorded the event (the guide's TimeStamp, UTC).
  "timestamp" timestamptz NOT NULL,
  severity text NOT NULL CHECK (severity IN ('Information', 'Warning', 'Error')),
  level text NOT NULL,
  message text NOT NULL,
  -- Exception details of Error entries; NULL otherwise.
  exception text,
  -- From the reporting request's W3C traceparent; NULL without one.
  trace_id text CHECK (trace_id ~ '^[0-9a-f]{32}$'),
  span_id text CHECK (span_id ~ '^[0-9a-f]{16}$'),
  source text NOT NULL,
  -- The NES service that published the event (the guide's queries' ServiceName).
  service_name text NOT NULL,
  -- The guide's Attributes JSON (ClientName, AppName, HostName, OSType,
  -- EventType, EventTime, Category, SubCategory, Producer, ProducerVersion,
  -- HostId, UserId, AuthenticatorId, SecondaryAuthenticatorId,
  -- AppProcessName, AppURL, AppWinTitle, TotalElapsedTime, Details).
  attributes jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  modified_at timestamptz NOT NULL DEFAULT now(),
  client_ip inet,
  -- Promoted from the attributes for the analysts' indexes (NULL when empty).
  event_type text,
  event_time timestamptz,
  user_id text,
  authenticator_id text,
  secondary_authenticator_id text,
  host_id text,
  client_id text,
  -- The writing transaction: the live tail reads rows in (txid, id) order
  -- below the oldest running transaction, so it never skips a row that
  -- commits late.
  txid xid8 NOT NULL DEFAULT pg_current_xact_id()
);

-- Every query is newest first with a keyset cursor on ("timestamp", id).
CREATE UNIQUE INDEX log_event_id_key ON log (event_id);
CREATE INDEX log_timestamp_idx ON log ("timestamp", id);
CREATE INDEX log_user_idx ON log (user_id, "timestamp", id) WHERE user_id IS NOT NULL;
CREATE INDEX log_authenticator_idx ON log (authenticator_id, "timestamp", id)
  WHERE authenticator_id IS NOT NULL;
CREATE INDEX log_secondary_authenticator_idx ON log (secondary_authenticator_id, "timestamp", id)
  WHERE secondary_authenticator_id IS NOT NULL;
CREATE INDEX log_host_idx ON log (host_id, "timestamp", id) WHERE host_id IS NOT NULL;
CREATE INDEX log_client_idx ON log (client_id, "timestamp", id) WHERE client_id IS NOT NULL;
CREATE INDEX log_event_type_idx ON log (event_type, "timestamp", id);
CREATE INDEX log_txid_idx ON log (txid, id);

CREATE SCHEMA IF NOT EXISTS audit;

-- The guide's audit.client: one row per client change (C, U, D).
CREATE TABLE audit.client (
  "identity" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  event_time timestamptz NOT NULL,
  event_type char(1) NOT NULL CHECK (event_type IN ('C', 'U', 'D')),
  -- The guide's SystemUser: the identity of the NES service that made the change.
  system_account text NOT NULL,
  id text NOT NULL,
  client_id text NOT NULL,
  client_name text NOT NULL,
  app_name text NOT NULL,
  -- SHA-256 of the client secret (never the secret); NULL for private_key_jwt clients.
  client_secret text,
  os_type text NOT NULL,
  created_by text NOT NULL,
  registration_type text NOT NULL,
  host_name text NOT NULL,
  -- SHA-256 of the CRT the client registered with.
  initial_access_token_id text NOT NULL,
  created_at timestamptz,
  modified_at timestamptz,
  modified_by text NOT NULL,
  client_ip text NOT NULL,
  crt_id text NOT NULL,
  changed_fields text[] NOT NULL DEFAULT '{}',
  projected_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX client_client_id_idx ON audit.client (client_id, "identity");
CREATE INDEX client_event_time_idx ON audit.client (event_time, "identity");

-- The guide's audit.InitialAccessToken: one row per CRT change (C, U, R, D).
CREATE TABLE audit.initial_access_token (
  "identity" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  event_time timestamptz NOT NULL,
  event_type char(1) NOT NULL CHECK (event_type IN ('C', 'U', 'R', 'D')),
  system_account text NOT NULL,
  token_id text NOT NULL,
  -- SHA-256 of the token (never the token).
  token text NOT NULL,
  title text NOT NULL,
  valid_until timestamptz,
  -- The guide's numeric scope code: 2 = Nymi Connect for Android.
  scope integer NOT NULL,
  details text NOT NULL,
  max_client_limit integer NOT NULL,
  client_count integer NOT NULL,
  last_used_time timestamptz,
  created_at timestamptz,
  modified_at timestamptz,
  modified_by text NOT NULL,
  is_revoked boolean NOT NULL,
  is_deleted boolean NOT NULL,
  status text NOT NULL,
  changed_fields text[] NOT NULL DEFAULT '{}',
  projected_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX initial_access_token_token_id_idx ON audit.initial_access_token (token_id, "identity");
CREATE INDEX initial_access_token_event_time_idx
  ON audit.initial_access_token (event_time, "identity");
