-- Customers and subscriptions (SPEC §5, §10): seeded from the catalogue file at start, managed
-- by the provisioning API afterwards. Plans and meters stay in the catalogue file (versioned by
-- its content hash); `plan` here is a name the application validates against it.

CREATE TABLE customers (
  id         text PRIMARY KEY CHECK (length(id) > 0),
  currency   text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  -- The contract in the catalogue's own spelling (overrides, discount_pct, minimum_commit,
  -- amounts as decimal strings), validated by the catalogue validator before it is written.
  contract   jsonb NOT NULL DEFAULT '{}'::jsonb,
  source     text NOT NULL CHECK (source IN ('catalog', 'api')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE subscriptions (
  -- Catalogue entries keep the catalogue's id (`<server_id>@<from ISO>`), API ones get `sub_…`.
  id         text PRIMARY KEY CHECK (length(id) > 0),
  server_id  text NOT NULL CHECK (length(server_id) > 0),
  customer   text NOT NULL REFERENCES customers (id),
  plan       text NOT NULL CHECK (length(plan) > 0),
  valid_from timestamptz NOT NULL,
  valid_to   timestamptz, -- exclusive; NULL = open-ended
  source     text NOT NULL CHECK (source IN ('catalog', 'api')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT subscriptions_to_after_from CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX subscriptions_by_customer ON subscriptions (customer, valid_from);
CREATE INDEX subscriptions_by_server ON subscriptions (server_id, valid_from);

-- No two subscriptions of one server may overlap (SPEC §10): enforced by the database, not only
-- by the API, so two concurrent requests cannot both win. An exclusion constraint when
-- btree_gist is available (it ships with PostgreSQL's contrib and is a trusted extension);
-- otherwise a trigger that serialises writers per server with an advisory lock, then checks.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'btree_gist') THEN
    CREATE EXTENSION IF NOT EXISTS btree_gist;
    ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_no_overlap
      EXCLUDE USING gist (server_id WITH =, tstzrange(valid_from, valid_to, '[)') WITH &&);
  ELSE
    CREATE FUNCTION subscriptions_no_overlap() RETURNS trigger LANGUAGE plpgsql AS $f$
    BEGIN
      PERFORM pg_advisory_xact_lock(hashtextextended('meterline.subscriptions:' || NEW.server_id, 0));
      IF EXISTS (
        SELECT 1 FROM subscriptions s
         WHERE s.server_id = NEW.server_id AND s.id <> NEW.id
           AND tstzrange(s.valid_from, s.valid_to, '[)') && tstzrange(NEW.valid_from, NEW.valid_to, '[)')
      ) THEN
        RAISE EXCEPTION 'conflicting key value violates exclusion constraint "subscriptions_no_overlap"'
          USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'subscriptions_no_overlap';
      END IF;
      RETURN NEW;
    END $f$;
    CREATE TRIGGER subscriptions_no_overlap BEFORE INSERT OR UPDATE ON subscriptions
      FOR EACH ROW EXECUTE FUNCTION subscriptions_no_overlap();
  END IF;
END $$;
