-- The directory-sync projection: what every domain controller last said
-- about each user, the merged users NES serves, groups, sync cursors and the
-- domain policy the account states depend on. Unqualified names: the
-- migrations runner sets search_path to the service's schema (`directory`).

-- One DC's latest view of one user. USNs are per DC: usn_changed orders this
-- DC's views only.
CREATE TABLE user_observation (
  guid uuid NOT NULL,
  dc text NOT NULL CHECK (length(dc) BETWEEN 1 AND 255),
  site text NOT NULL CHECK (length(site) BETWEEN 1 AND 64),
  presence text NOT NULL CHECK (presence IN ('present', 'out_of_scope', 'deleted')),
  usn_changed bigint NOT NULL,
  -- The attributes as read (parsed), or null when this DC never returned them.
  attributes jsonb,
  observed_at timestamptz NOT NULL,
  -- When NES first saw this DC's view differ from its previous one.
  changed_at timestamptz NOT NULL,
  PRIMARY KEY (guid, dc)
);

CREATE INDEX user_observation_dc_idx ON user_observation (dc, observed_at);

-- The merged user: what gRPC answers and events carry.
CREATE TABLE directory_user (
  guid uuid PRIMARY KEY,
  sid text NOT NULL,
  domain text NOT NULL,
  sam_account_name text NOT NULL,
  upn text NOT NULL DEFAULT '',
  display_name text NOT NULL DEFAULT '',
  distinguished_name text NOT NULL,
  mail text NOT NULL DEFAULT '',
  -- Direct group DNs (memberOf).
  group_dns text[] NOT NULL DEFAULT '{}',
  -- Site and DC of the freshest view.
  site text NOT NULL,
  dc text NOT NULL,
  usn_changed bigint NOT NULL,
  observed_at timestamptz NOT NULL,
  state text NOT NULL CHECK (state IN ('active', 'disabled', 'locked', 'account_expired',
    'password_expired', 'must_change_password', 'deleted')),
  -- When time alone changes the state (lockout end, expiry): the state clock's work list.
  state_changes_at timestamptz,
  removed text CHECK (removed IN ('deleted', 'out_of_scope')),
  -- Account-state attributes, merged per attribute by replication metadata.
  user_account_control bigint NOT NULL,
  user_account_control_computed bigint,
  account_expires timestamptz,
  lockout_time timestamptz,
  -- null: must change at next logon.
  pwd_last_set timestamptz,
  password_expires_at timestamptz,
  password_expiry_known boolean NOT NULL DEFAULT false,
  -- The newest password-set time seen at any site: never moves backwards.
  pwd_last_set_max timestamptz,
  pwd_last_set_site text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX directory_user_account_idx ON directory_user (lower(domain), lower(sam_account_name));
CREATE INDEX directory_user_upn_idx ON directory_user (lower(upn)) WHERE upn <> '';
-- ListUsers: keyset pagination by account name.
CREATE INDEX directory_user_list_idx ON directory_user (lower(sam_account_name), guid) WHERE removed IS NULL;
CREATE INDEX directory_user_state_clock_idx ON directory_user (state_changes_at)
  WHERE state_changes_at IS NOT NULL;

-- Groups seen in the directory (users reference them by DN).
CREATE TABLE directory_group (
  guid uuid PRIMARY KEY,
  distinguished_name text NOT NULL,
  name text NOT NULL DEFAULT '',
  deleted boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX directory_group_dn_idx ON directory_group (lower(distinguished_name));

-- Where incremental sync resumes, per DC (USNs are per DC and per database
-- identity: invocation_id).
CREATE TABLE sync_cursor (
  dc text PRIMARY KEY,
  site text NOT NULL,
  invocation_id text NOT NULL,
  highest_usn bigint NOT NULL,
  full_sync_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The domain's account policy the state clock needs (lockout duration), as
-- last read by a sync.
CREATE TABLE domain_policy (
  domain text PRIMARY KEY,
  -- null with known = true: until an administrator unlocks.
  lockout_duration_ms bigint,
  -- false: unknown (the DC's computed lockout flag is trusted as read).
  lockout_duration_known boolean NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
