-- beacon_register_device (20261130100000, 20261202000000) called built-ins that a role allowed to
-- create in this schema (every role in public before PostgreSQL 15) could replace with its own,
-- run as the caller (Beacon's role) on every registration: PostgreSQL prefers a function of exactly
-- the arguments' types wherever it is on the search path over pg_catalog's polymorphic or
-- implicitly cast one (hashtextextended(text, integer) for the literal 0, unnest(text[]),
-- array_agg(bigint), and the operator =(varchar, text) of the application's look-up, app_id being
-- a varchar; found by the reviews of 20261205210000 and of this one). Each is now named with pg_catalog,
-- and the function keeps this schema, then pg_temp, as its search path (a schema named after the
-- caller's role, "$user", came first before). Same steps, locks and lock keys
-- (hashtextextended's 0 was cast to bigint already); the comments are in 20261130100000.
SELECT pg_catalog.set_config('search_path', pg_catalog.format('%I, pg_temp', current_schema()), true);

CREATE OR REPLACE FUNCTION beacon_register_device(
  p_app_id text, p_token text, p_platform "Platform", p_environment "ApnsEnvironment",
  p_activation_ids text[], p_user_ids text[], p_statuses "ActivationStatus"[]
) RETURNS bigint
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  v_application_id integer;
  v_device_id bigint;
  v_previous bigint[];
BEGIN
  SELECT id INTO v_application_id FROM application WHERE app_id OPERATOR(pg_catalog.=) p_app_id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;

  PERFORM pg_catalog.pg_advisory_xact_lock(lock_key) FROM (
    SELECT DISTINCT pg_catalog.hashtextextended('beacon.activation:' || id, 0::bigint) AS lock_key
      FROM pg_catalog.unnest(p_activation_ids) AS id ORDER BY lock_key
  ) AS keys;

  INSERT INTO device (application_id, push_token, platform, environment)
  VALUES (v_application_id, p_token, p_platform, p_environment)
  ON CONFLICT (application_id, push_token) DO UPDATE
    SET platform = EXCLUDED.platform, environment = EXCLUDED.environment, last_registered_at = pg_catalog.now()
  RETURNING id INTO v_device_id;

  SELECT pg_catalog.array_agg(DISTINCT device_id) INTO v_previous FROM device_activation
   WHERE application_id = v_application_id AND activation_id = ANY(p_activation_ids) AND device_id <> v_device_id;

  DELETE FROM device_activation WHERE device_id = v_device_id AND NOT (activation_id = ANY(p_activation_ids));

  INSERT INTO device_activation (application_id, device_id, activation_id, user_id, activation_status, updated_at)
  SELECT v_application_id, v_device_id, given.activation_id, given.user_id, given.status, pg_catalog.now()
    FROM ROWS FROM (pg_catalog.unnest(p_activation_ids), pg_catalog.unnest(p_user_ids), pg_catalog.unnest(p_statuses))
         WITH ORDINALITY AS given(activation_id, user_id, status, position)
   ORDER BY given.position
  ON CONFLICT (application_id, activation_id) DO UPDATE
    SET device_id = EXCLUDED.device_id, user_id = EXCLUDED.user_id,
        activation_status = EXCLUDED.activation_status, updated_at = pg_catalog.now();

  IF v_previous IS NOT NULL THEN
    PERFORM id FROM device WHERE id = ANY(v_previous) ORDER BY id FOR UPDATE;
    DELETE FROM device AS d WHERE d.id = ANY(v_previous)
       AND NOT EXISTS (SELECT 1 FROM device_activation AS a WHERE a.device_id = d.id);
  END IF;

  RETURN v_device_id;
END
$$;
