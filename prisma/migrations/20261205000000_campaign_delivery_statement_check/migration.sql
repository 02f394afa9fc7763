-- A campaign's claims keep to live campaigns without the foreign key's check on every row. The key
-- ran its check (a look-up of the campaign, locking it FOR KEY SHARE) once per claimed device:
-- ~5 µs of PostgreSQL's ~30 per campaign notification. The dispatcher's two statements that insert
-- into campaign_delivery (a window's claim, outcomes decided without a request: claims.ts) now lock
-- the campaign FOR KEY SHARE once each and insert nothing when it is gone. A removal waits for a
-- claim holding that lock, and a claim waits for a removal in progress and then finds no campaign:
-- what the key guaranteed. Removing a campaign (or its application, which removes it) still removes
-- its deliveries, through the trigger below in place of ON DELETE CASCADE.
SET LOCAL lock_timeout = '10s';

ALTER TABLE "campaign_delivery" DROP CONSTRAINT "campaign_delivery_campaign_id_fkey";

CREATE FUNCTION beacon_remove_campaign_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM campaign_delivery WHERE campaign_id = OLD.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER campaign_remove_deliveries AFTER DELETE ON "campaign"
  FOR EACH ROW EXECUTE FUNCTION beacon_remove_campaign_deliveries();
