-- The functions of campaign_delivery's triggers run for campaign and campaign_delivery only.
-- Four of them run as their owner (20261205200000). Before that migration revoked it, EXECUTE on
-- them was PUBLIC (20261205000000, 20261205100000), and PostgreSQL checks EXECUTE when a trigger is
-- created, never when it fires: a role that had put one of them on a table of its own then would,
-- by deleting its own rows, remove any campaign's deliveries as the owner (or lock campaigns, or
-- learn which exist). Each function now refuses (42501) to run for any other table, so such a
-- trigger does nothing but fail its own table's statements; Beacon's start does not depend on
-- another role's objects. The bodies are otherwise those of 20261205200000.
-- The check compares oid with oid through pg_catalog's operator, named: pg_catalog has no
-- <>(oid, regclass), and PostgreSQL prefers an operator of exactly the operands' types wherever
-- it is on the search path, so one of that name planted in this schema (by a role allowed to
-- create there) would have run as the owner. Every operator and function the bodies use is named
-- with pg_catalog or has an exact match there (bigint = bigint), which the search path finds first.
-- Were campaign or campaign_delivery ever partitioned, their row triggers cloned onto the
-- partitions would be refused by this check: it names the tables themselves.
SET LOCAL lock_timeout = '10s';
SELECT pg_catalog.set_config('search_path', pg_catalog.format('%I, pg_temp', current_schema()), true);

CREATE OR REPLACE FUNCTION beacon_remove_campaign_deliveries() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_RELID OPERATOR(pg_catalog.<>) 'campaign'::pg_catalog.regclass::pg_catalog.oid THEN
    RAISE insufficient_privilege USING MESSAGE = pg_catalog.format('%I runs for campaign only, not for %s', TG_NAME, TG_RELID::pg_catalog.regclass);
  END IF;
  DELETE FROM campaign_delivery WHERE campaign_id = OLD.id;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION beacon_check_campaign_deliveries() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  missing bigint;
BEGIN
  IF TG_RELID OPERATOR(pg_catalog.<>) 'campaign_delivery'::pg_catalog.regclass::pg_catalog.oid THEN
    RAISE insufficient_privilege USING MESSAGE = pg_catalog.format('%I runs for campaign_delivery only, not for %s', TG_NAME, TG_RELID::pg_catalog.regclass);
  END IF;
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

-- As the caller (the key's cascade of a TRUNCATE took the caller's privileges): checked all the same.
CREATE OR REPLACE FUNCTION beacon_truncate_campaign_deliveries() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_RELID OPERATOR(pg_catalog.<>) 'campaign'::pg_catalog.regclass::pg_catalog.oid THEN
    RAISE insufficient_privilege USING MESSAGE = pg_catalog.format('%I runs for campaign only, not for %s', TG_NAME, TG_RELID::pg_catalog.regclass);
  END IF;
  TRUNCATE campaign_delivery;
  RETURN NULL;
EXCEPTION WHEN object_in_use THEN
  DELETE FROM campaign_delivery;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION beacon_check_moved_campaign_delivery() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_RELID OPERATOR(pg_catalog.<>) 'campaign_delivery'::pg_catalog.regclass::pg_catalog.oid THEN
    RAISE insufficient_privilege USING MESSAGE = pg_catalog.format('%I runs for campaign_delivery only, not for %s', TG_NAME, TG_RELID::pg_catalog.regclass);
  END IF;
  PERFORM 1 FROM campaign WHERE id = NEW.campaign_id FOR KEY SHARE;
  IF NOT FOUND THEN
    RAISE foreign_key_violation USING
      MESSAGE = pg_catalog.format('update of campaign_delivery refused: campaign %s does not exist', NEW.campaign_id),
      TABLE = 'campaign_delivery', CONSTRAINT = 'campaign_delivery_campaign_id_check';
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION beacon_refuse_campaign_id_change() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_RELID OPERATOR(pg_catalog.<>) 'campaign'::pg_catalog.regclass::pg_catalog.oid THEN
    RAISE insufficient_privilege USING MESSAGE = pg_catalog.format('%I runs for campaign only, not for %s', TG_NAME, TG_RELID::pg_catalog.regclass);
  END IF;
  RAISE foreign_key_violation USING
    MESSAGE = pg_catalog.format('update of campaign refused: campaign %s would leave its deliveries', OLD.id),
    TABLE = 'campaign', CONSTRAINT = 'campaign_delivery_campaign_id_check';
END
$$;
