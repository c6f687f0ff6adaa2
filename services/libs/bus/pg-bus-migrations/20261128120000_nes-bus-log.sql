-- Schema of the Postgres-backed event bus (default `nes_bus`), applied by the
-- bus itself at start. Unqualified names: the bus sets search_path.
--
-- Model (Kafka's, on tables): a topic has N partitions; an event goes to
-- partition hash(key) mod N and gets the partition's next offset; a consumer
-- group keeps one position per partition; a member of the group leases the
-- partitions it processes and must renew the lease, so the partitions of a
-- member that died are taken over once its lease expires.

CREATE TABLE topic (
  name text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 249),
  partitions integer NOT NULL CHECK (partitions BETWEEN 1 AND 1024),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Offset allocation. Appending locks the head row until commit, so offsets of
-- a partition become visible strictly in order and without gaps: a reader
-- that has seen offset n never later finds a committed n-1 it skipped.
CREATE TABLE partition_head (
  topic text NOT NULL REFERENCES topic (name) ON DELETE CASCADE,
  partition integer NOT NULL CHECK (partition >= 0),
  next_offset bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (topic, partition)
);

-- The log itself. `value` is the transport payload as bytes (a structured
-- CloudEvent when producers behave; anything when they do not).
CREATE TABLE record (
  topic text NOT NULL,
  partition integer NOT NULL,
  log_offset bigint NOT NULL,
  key text,
  value bytea NOT NULL,
  content_type text,
  appended_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (topic, partition, log_offset),
  FOREIGN KEY (topic, partition) REFERENCES partition_head (topic, partition) ON DELETE CASCADE
);

-- Retention pruning.
CREATE INDEX record_appended_at_idx ON record (appended_at);

-- Live members of consumer groups; expired rows are removed by other members.
CREATE TABLE group_member (
  group_id text NOT NULL CHECK (length(group_id) BETWEEN 1 AND 256),
  member_id uuid NOT NULL,
  joined_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (group_id, member_id)
);

-- A group's position in a partition and the lease of the member processing it.
-- `generation` grows with every new lease; position commits carry it, so a
-- member whose lease was taken over cannot move the position any more.
CREATE TABLE group_partition (
  group_id text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  next_offset bigint NOT NULL DEFAULT 0,
  member_id uuid,
  generation bigint NOT NULL DEFAULT 0,
  lease_expires_at timestamptz,
  PRIMARY KEY (group_id, topic, partition),
  FOREIGN KEY (topic, partition) REFERENCES partition_head (topic, partition) ON DELETE CASCADE
);

CREATE INDEX group_partition_topic_partition_idx ON group_partition (topic, partition);
