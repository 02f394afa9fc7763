-- beacon_register_device (20261205220000) locked the given activations, then the token's device,
-- then deleted the token's other activations without their locks. A rotation of one of those to
-- another token, or a REMOVED status of it, takes the activation's lock, then its row, then this
-- device's row (to delete it if left empty): the two deadlocked, PostgreSQL failed one after
-- deadlock_timeout (1 s), and the api tried it again. The commonest case is PowerAuth's: an app
-- re-registers its token with a new activation while the old one is reported REMOVED. Now the
-- token's current activations are locked with the given ones, in the same sorted order, before
-- the device. An activation that joins the token between that look and the device's lock (a
-- registration of the same token) can still meet a rotation: that rare conflict is tried again.
-- Otherwise the same steps, locks and names as 20261205220000 (its header says why each built-in
-- is named with pg_catalog).
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

  -- The token's own activations too: step 5 deletes those not given, and a rotation or a REMOVED
  -- status of one of them takes its lock, then its row, then this device's.
  PERFORM pg_catalog.pg_advisory_xact_lock(lock_key) FROM (
    SELECT DISTINCT pg_catalog.hashtextextended('beacon.activation:' || id, 0::bigint) AS lock_key
      FROM (SELECT pg_catalog.unnest(p_activation_ids) AS id
            UNION
            SELECT a.activation_id FROM device AS d JOIN device_activation AS a ON a.device_id = d.id
             WHERE d.application_id = v_application_id AND d.push_token = p_token) AS ids
     ORDER BY lock_key
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
