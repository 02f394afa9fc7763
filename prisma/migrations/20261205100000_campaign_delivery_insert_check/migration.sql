-- What the foreign key campaign_delivery -> campaign guaranteed, for every writer, at a fraction of
-- its cost. 20261205000000 moved the key's check into the dispatcher's two inserting statements
-- (each locks the campaign once). A writer without that check, such as a dispatcher of the previous
-- release during a rolling upgrade, could still insert the claims of a campaign removed meanwhile,
-- and nothing would ever remove them. This statement-level trigger checks the campaigns of every
-- insert once, locking them FOR KEY SHARE as the key did, and refuses an insert into a missing
-- campaign with the key's error (23503). It costs PostgreSQL about 15 µs per insert of 31 rows (a
-- claim window) against the key's 88 (4,000 inserts in a loop inside PostgreSQL, four rounds
-- each). The dispatcher's statements keep their own check: it answers "nothing claimed" where this
-- one raises. Also: the functions pin their search_path, a
-- TRUNCATE of campaign (also through TRUNCATE application CASCADE) empties campaign_delivery as the
-- key's cascade did, and claims left behind meanwhile by writers without the check are removed.
SET LOCAL lock_timeout = '10s';

-- A removal locks campaign, then campaign_delivery (its trigger): the same order here.
LOCK TABLE "campaign", "campaign_delivery" IN SHARE ROW EXCLUSIVE MODE;

CREATE OR REPLACE FUNCTION beacon_remove_campaign_deliveries() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  DELETE FROM campaign_delivery WHERE campaign_id = OLD.id;
  RETURN NULL;
END
$$;

CREATE FUNCTION beacon_check_campaign_deliveries() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
DECLARE
  missing bigint;
BEGIN
  SELECT n.campaign_id INTO missing
    FROM (SELECT DISTINCT campaign_id FROM inserted) n
   WHERE NOT EXISTS (SELECT 1 FROM campaign c WHERE c.id = n.campaign_id FOR KEY SHARE)
   LIMIT 1;
  IF FOUND THEN
    RAISE foreign_key_violation USING
      MESSAGE = format('insert into campaign_delivery refused: campaign %s does not exist', missing),
      TABLE = 'campaign_delivery', CONSTRAINT = 'campaign_delivery_campaign_id_check';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER campaign_delivery_check_campaign AFTER INSERT ON "campaign_delivery"
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION beacon_check_campaign_deliveries();

CREATE FUNCTION beacon_truncate_campaign_deliveries() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  TRUNCATE campaign_delivery;
  RETURN NULL;
END
$$;

CREATE TRIGGER campaign_truncate_deliveries AFTER TRUNCATE ON "campaign"
  FOR EACH STATEMENT EXECUTE FUNCTION beacon_truncate_campaign_deliveries();

DELETE FROM "campaign_delivery" d WHERE NOT EXISTS (SELECT 1 FROM "campaign" c WHERE c.id = d.campaign_id);
