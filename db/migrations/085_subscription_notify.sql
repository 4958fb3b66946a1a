-- Every change of a subscription (created, its `to` set, deleted) is announced on the channel
-- meterline_subscriptions with the server id, so a running aggregate cuts that server's windows
-- at the new boundaries (SPEC §6.1; pipeline/aggregate/subscription-feed.ts) like it cuts them
-- at the catalogue's. NOTIFY is transactional: listeners hear of a change when it commits.
CREATE FUNCTION subscriptions_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('meterline_subscriptions', OLD.server_id);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_notify('meterline_subscriptions', NEW.server_id);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER subscriptions_notify
  AFTER INSERT OR UPDATE OR DELETE ON subscriptions
  FOR EACH ROW EXECUTE FUNCTION subscriptions_notify();
