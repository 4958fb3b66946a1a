-- The web console (SPEC §14) keeps no sessions: its session cookie is sealed (AES-256-GCM) with
-- this one key, shared by every api replica and kept across restarts, so a sign-in survives a
-- deploy and any replica can read it. Created by the first api process that needs it.
CREATE TABLE console_seal_key (
  id         smallint PRIMARY KEY CHECK (id = 1),
  seal_key   bytea NOT NULL CHECK (length(seal_key) = 32),
  created_at timestamptz NOT NULL DEFAULT now()
);
