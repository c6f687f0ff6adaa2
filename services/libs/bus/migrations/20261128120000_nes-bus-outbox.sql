-- Transactional outbox and idempotent-consumer bookkeeping of @nes/bus.
-- Names are unqualified on purpose: each service applies this folder into its
-- own schema (search_path set by the migrations runner).

-- Events written in the same transaction as the state change they describe;
-- the relay publishes them in `seq` order and marks them published.
CREATE TABLE outbox (
  -- Commit-ordered enough for per-key order: writes to one key are serialised
  -- by the producer's row locks, so a later event of a key gets a later seq.
  seq bigint GENERATED ALWAYS AS IDENTITY,
  id uuid PRIMARY KEY,
  topic text NOT NULL CHECK (length(topic) BETWEEN 1 AND 249),
  key text NOT NULL CHECK (length(key) BETWEEN 1 AND 256),
  event jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text
);

CREATE UNIQUE INDEX outbox_seq_key ON outbox (seq);
-- The relay's work queue: only unpublished rows, in publication order.
CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL;
-- Pruning of published rows after the retention period.
CREATE INDEX outbox_published_at_idx ON outbox (published_at) WHERE published_at IS NOT NULL;

-- Wake the relay as soon as an outbox write commits (NOTIFY is transactional).
-- The channel names the schema, so relays of different services stay apart.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(left('nes_outbox_' || TG_TABLE_SCHEMA, 63), '');
  RETURN NULL;
END
$$;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
  FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- Event ids a consumer group has applied, written in the same transaction as
-- the group's effect: a redelivered event conflicts here and is skipped.
CREATE TABLE processed_event (
  consumer_group text NOT NULL CHECK (length(consumer_group) BETWEEN 1 AND 256),
  event_id uuid NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, event_id)
);

CREATE INDEX processed_event_processed_at_idx ON processed_event (processed_at);
