-- Every change of an API key (created, revoked, deleted) is announced on the channel
-- meterline_api_keys, so each process drops its cached key lookups at once (api/auth/
-- invalidation.ts) instead of trusting them for the cache's lifetime. NOTIFY is transactional:
-- listeners hear of a revocation exactly when it commits, never before.
CREATE FUNCTION api_keys_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('meterline_api_keys', CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
  RETURN NULL;
END;
$$;

CREATE TRIGGER api_keys_notify
  AFTER INSERT OR UPDATE OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION api_keys_notify();
