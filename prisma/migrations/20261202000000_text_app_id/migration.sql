-- PowerAuth application ids are text since PowerAuth 1.3 ("appId": "mobile-app"). The numeric ids
-- stored so far become their decimal text ("2"): the form a request's 2 or "2" is looked up by, so
-- every existing application keeps answering to the id it had. The unique index is rebuilt with it.
-- At most 255 characters, as PowerAuth's own app_id column.
ALTER TABLE "application" ALTER COLUMN "app_id" SET DATA TYPE VARCHAR(255) USING "app_id"::text;

-- beacon_register_device (migration 20261130100000) looked the application up by a bigint: the
-- same function, unchanged but for its first parameter, now text. Its comments are in that migration.
DROP FUNCTION beacon_register_device(bigint, text, "Platform", "ApnsEnvironment", text[], text[], "ActivationStatus"[]);

CREATE FUNCTION beacon_register_device(
  p_app_id text, p_token text, p_platform "Platform", p_environment "ApnsEnvironment",
  p_activation_ids text[], p_user_ids text[], p_statuses "ActivationStatus"[]
) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v_application_id integer;
  v_device_id bigint;
  v_previous bigint[];
BEGIN
  SELECT id INTO v_application_id FROM application WHERE app_id = p_app_id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;

  PERFORM pg_advisory_xact_lock(lock_key) FROM (
    SELECT DISTINCT hashtextextended('beacon.activation:' || id, 0) AS lock_key
      FROM unnest(p_activation_ids) AS id ORDER BY lock_key
  ) AS keys;

  INSERT INTO device (application_id, push_token, platform, environment)
  VALUES (v_application_id, p_token, p_platform, p_environment)
  ON CONFLICT (application_id, push_token) DO UPDATE
    SET platform = EXCLUDED.platform, environment = EXCLUDED.environment, last_registered_at = now()
  RETURNING id INTO v_device_id;

  SELECT array_agg(DISTINCT device_id) INTO v_previous FROM device_activation
   WHERE application_id = v_application_id AND activation_id = ANY(p_activation_ids) AND device_id <> v_device_id;

  DELETE FROM device_activation WHERE device_id = v_device_id AND NOT (activation_id = ANY(p_activation_ids));

  INSERT INTO device_activation (application_id, device_id, activation_id, user_id, activation_status, updated_at)
  SELECT v_application_id, v_device_id, given.activation_id, given.user_id, given.status, now()
    FROM unnest(p_activation_ids, p_user_ids, p_statuses) WITH ORDINALITY AS given(activation_id, user_id, status, position)
   ORDER BY given.position
  ON CONFLICT (application_id, activation_id) DO UPDATE
    SET device_id = EXCLUDED.device_id, user_id = EXCLUDED.user_id,
        activation_status = EXCLUDED.activation_status, updated_at = now();

  IF v_previous IS NOT NULL THEN
    PERFORM id FROM device WHERE id = ANY(v_previous) ORDER BY id FOR UPDATE;
    DELETE FROM device AS d WHERE d.id = ANY(v_previous)
       AND NOT EXISTS (SELECT 1 FROM device_activation AS a WHERE a.device_id = d.id);
  END IF;

  RETURN v_device_id;
END
$$;
