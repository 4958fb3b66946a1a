-- API keys (SPEC §10): only the SHA-256 of each key is stored (api/auth/keys.ts says why that
-- suffices for 256-bit random keys). Revoked keys stay, so logs and DLQ records naming a key id
-- can still be traced to who had it.
CREATE TABLE api_keys (
  id          text PRIMARY KEY CHECK (id ~ '^key_[0-9a-f]{16}$'),
  key_hash    bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
  prefix      text NOT NULL,
  role        text NOT NULL CHECK (role IN ('agent', 'finance', 'customer')),
  -- Not a foreign key: a customer key may be created before the customer is provisioned, and
  -- deleting a customer must not silently delete the audit trail of its keys.
  customer_id text CHECK (customer_id IS NULL OR length(customer_id) > 0),
  description text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  CONSTRAINT api_keys_customer_role CHECK ((role = 'customer') = (customer_id IS NOT NULL))
);
