-- Where the triggers of 20261205000000 and 20261205100000 still differed from the foreign key
-- campaign_delivery -> campaign they replace (found by the review of 20261205100000), each now
-- does as the key did:
-- * search_path: SET search_path FROM CURRENT stored the session's "$user", public, resolved for
--   each caller, with pg_temp searched first (a temporary table named campaign would have been
--   checked instead). The functions now keep this schema, then pg_temp.
-- * privileges: the key's checks ran as the tables' owner, so inserting a claim took INSERT on
--   campaign_delivery only (not UPDATE on campaign, which FOR KEY SHARE takes), and removing a
--   campaign DELETE on campaign only. The functions run as their owner (SECURITY DEFINER, with the
--   search_path pinned as above; a trigger function cannot be called other than as a trigger).
-- * TRUNCATE campaign, campaign_delivery [CASCADE]: the trigger's own TRUNCATE of campaign_delivery
--   failed ("being used by active queries"); when campaign_delivery is open in the session it
--   deletes instead (the same statement truncated it already, or a cursor of the session reads it).
-- * updates: the key refused a delivery moved to a missing campaign (a row trigger does the same)
--   and carried a campaign's new id to its deliveries (ON UPDATE CASCADE); a campaign's id now
--   never changes. Beacon does neither: its outcome updates do not name campaign_id, and a trigger
--   on UPDATE OF a column is skipped by those.
-- * Built-in functions are named with their schema: a function of the same name in this schema
--   would otherwise run as the owner.
SET LOCAL lock_timeout = '10s';
SELECT pg_catalog.set_config('search_path', pg_catalog.format('%I, pg_temp', current_schema()), true);

-- A removal locks campaign, then campaign_delivery (its trigger): the same order here.
LOCK TABLE "campaign", "campaign_delivery" IN SHARE ROW EXCLUSIVE MODE;

CREATE OR REPLACE FUNCTION beacon_remove_campaign_deliveries() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  DELETE FROM campaign_delivery WHERE campaign_id = OLD.id;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION beacon_check_campaign_deliveries() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  missing bigint;
BEGIN
  SELECT n.campaign_id INTO missing
    FROM (SELECT DISTINCT campaign_id FROM inserted) n
   WHERE NOT EXISTS (SELECT 1 FROM campaign c WHERE c.id = n.campaign_id FOR KEY SHARE)
   LIMIT 1;
  IF FOUND THEN
    RAISE foreign_key_violation USING
      MESSAGE = pg_catalog.format('insert into campaign_delivery refused: campaign %s does not exist', missing),
      TABLE = 'campaign_delivery', CONSTRAINT = 'campaign_delivery_campaign_id_check';
  END IF;
  RETURN NULL;
END
$$;

-- As the caller, unlike the others: the key's cascade of a TRUNCATE took the caller's privileges.
CREATE OR REPLACE FUNCTION beacon_truncate_campaign_deliveries() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  TRUNCATE campaign_delivery;
  RETURN NULL;
EXCEPTION WHEN object_in_use THEN
  DELETE FROM campaign_delivery;
  RETURN NULL;
END
$$;

CREATE FUNCTION beacon_check_moved_campaign_delivery() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM 1 FROM campaign WHERE id = NEW.campaign_id FOR KEY SHARE;
  IF NOT FOUND THEN
    RAISE foreign_key_violation USING
      MESSAGE = pg_catalog.format('update of campaign_delivery refused: campaign %s does not exist', NEW.campaign_id),
      TABLE = 'campaign_delivery', CONSTRAINT = 'campaign_delivery_campaign_id_check';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER campaign_delivery_check_moved AFTER UPDATE OF campaign_id ON "campaign_delivery"
  FOR EACH ROW WHEN (OLD.campaign_id IS DISTINCT FROM NEW.campaign_id)
  EXECUTE FUNCTION beacon_check_moved_campaign_delivery();

-- Every change, not only of a campaign with rows: a check of the rows misses those committed after
-- the snapshot of a REPEATABLE READ transaction.
CREATE FUNCTION beacon_refuse_campaign_id_change() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  RAISE foreign_key_violation USING
    MESSAGE = pg_catalog.format('update of campaign refused: campaign %s would leave its deliveries', OLD.id),
    TABLE = 'campaign', CONSTRAINT = 'campaign_delivery_campaign_id_check';
END
$$;

CREATE TRIGGER campaign_keep_delivery_key AFTER UPDATE OF id ON "campaign"
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION beacon_refuse_campaign_id_change();

REVOKE EXECUTE ON FUNCTION beacon_remove_campaign_deliveries(), beacon_check_campaign_deliveries(),
  beacon_truncate_campaign_deliveries(), beacon_check_moved_campaign_delivery(),
  beacon_refuse_campaign_id_change() FROM PUBLIC;
