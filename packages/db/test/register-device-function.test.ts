import t from 'tap'
import { clientWithRole, createTestDatabase } from './helpers/databases.js'

const REGISTER = 'SELECT beacon_register_device($1::text, $2::text, \'FCM\', NULL, $3::text[], $4::text[], $5::"ActivationStatus"[]) AS id'

// Functions of exactly the argument types beacon_register_device passes, planted in public by a
// role allowed to create there: PostgreSQL would prefer each over pg_catalog's (hashtextextended
// takes a bigint, unnest and array_agg are polymorphic, app_id is a varchar compared with text)
// if the function did not name pg_catalog.
const PLANTED = `
  CREATE FUNCTION public.planted_ran(what text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN RAISE 'planted % ran as %', what, current_user; END $$;
  CREATE FUNCTION public.hashtextextended(text, integer) RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN PERFORM public.planted_ran('hashtextextended'); RETURN 0; END $$;
  CREATE FUNCTION public.unnest(text[]) RETURNS SETOF text LANGUAGE plpgsql AS $$ BEGIN PERFORM public.planted_ran('unnest'); END $$;
  CREATE FUNCTION public.planted_agg(bigint[], bigint) RETURNS bigint[] LANGUAGE plpgsql AS $$ BEGIN PERFORM public.planted_ran('array_agg'); RETURN NULL; END $$;
  CREATE AGGREGATE public.array_agg(bigint) (SFUNC = public.planted_agg, STYPE = bigint[]);
  CREATE FUNCTION public.planted_eq(varchar, text) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN PERFORM public.planted_ran('=(varchar, text)'); RETURN true; END $$;
  CREATE OPERATOR public.= (LEFTARG = varchar, RIGHTARG = text, FUNCTION = public.planted_eq)`

// guarantee: register-device-builtins-named
t.test('functions planted in the schema never run inside beacon_register_device', async (t) => {
  const { client, role } = await clientWithRole(t, await createTestDatabase())
  await client.query("INSERT INTO application (app_id, name, updated_at) VALUES ('7', 'seven', now())")
  await client.query(`GRANT CREATE ON SCHEMA public TO "${role.name}"`)
  await client.query('BEGIN')
  await client.query(`SET LOCAL ROLE "${role.name}"`)
  await client.query(PLANTED)
  await client.query('COMMIT')

  const { rows: [first] } = await client.query<{ id: string }>(REGISTER, ['7', 'token-a', ['act-1', 'act-2'], ['u1', 'u2'], ['ACTIVE', 'ACTIVE']])
  t.ok(first?.id, 'a device is registered with two activations')
  // The app's token rotated: act-1 and act-2 move to token-b, and token-a, left without one, goes.
  const { rows: [second] } = await client.query<{ id: string }>(REGISTER, ['7', 'token-b', ['act-2', 'act-1'], ['u2', 'u1'], ['ACTIVE', 'BLOCKED']])
  t.not(second!.id, first!.id, 'the rotated token is another device')
  const { rows: devices } = await client.query<{ push_token: string }>('SELECT push_token FROM device ORDER BY id')
  t.same(devices.map((d) => d.push_token), ['token-b'], 'the device left without activations is removed')
  const { rows: activations } = await client.query<{ activation_id: string, user_id: string, activation_status: string }>(
    'SELECT activation_id, user_id, activation_status::text FROM device_activation ORDER BY activation_id')
  t.same(activations, [{ activation_id: 'act-1', user_id: 'u1', activation_status: 'BLOCKED' }, { activation_id: 'act-2', user_id: 'u2', activation_status: 'ACTIVE' }], 'each activation with its user and status')
  const { rows: [fn] } = await client.query<{ proconfig: string[] }>("SELECT proconfig FROM pg_proc WHERE proname = 'beacon_register_device'")
  t.same(fn!.proconfig, ['search_path=public, pg_temp'], 'its search path is pinned')
})
