import pg from 'pg'
import t from 'tap'
import { querySchemaCreators } from '../../src/schema-creators.js'
import { clientWithRole, createTestDatabase, createTestRole } from '../helpers/databases.js'

t.test('the roles that may create in a schema of Beacon\'s search path are named, a schema\'s owner and Beacon\'s own role not', async (t) => {
  const { client, role } = await clientWithRole(t, await createTestDatabase())

  t.same(await querySchemaCreators(client), [], 'PostgreSQL 15\'s default for public: nobody else')

  // A database created by PostgreSQL 14 or earlier, and one more grant on top.
  await client.query('GRANT CREATE ON SCHEMA public TO PUBLIC')
  await client.query(`GRANT CREATE ON SCHEMA public TO "${role.name}"`)
  t.same(await querySchemaCreators(client), [{ schema: 'public', public: true, roles: [role.name], owner: null }])

  // Beacon's own role holding the grant is no finding: it creates there anyway (migrations).
  await client.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC')
  await client.query(`SET ROLE "${role.name}"`)
  // public belongs to pg_database_owner (the database's owner): named while Beacon's role is not it.
  t.same(await querySchemaCreators(client), [{ schema: 'public', public: false, roles: [], owner: 'pg_database_owner' }], 'seen as the role itself')
  await client.query('RESET ROLE')

  // Every schema of the path counts, in its order, and only schemas that exist; a schema's owner
  // is not named (it administers the schema).
  await client.query(`CREATE SCHEMA beacon_app AUTHORIZATION "${role.name}"; CREATE SCHEMA shared; GRANT CREATE ON SCHEMA shared TO PUBLIC`)
  await client.query('SET search_path = beacon_app, no_such_schema, public, shared')
  t.same(await querySchemaCreators(client), [{ schema: 'public', public: false, roles: [role.name], owner: null }, { schema: 'shared', public: true, roles: [], owner: null }])

  // A schema owned by a role whose privileges Beacon's role lacks: its owner (and the owner's
  // members) create there too. Seen as a second role, neither owner nor member of the first.
  const other = await createTestRole()
  t.teardown(() => other.drop())
  await client.query(`GRANT USAGE, CREATE ON SCHEMA beacon_app TO "${other.name}"; GRANT USAGE ON SCHEMA public, shared TO "${other.name}"`)
  await client.query('SET search_path = beacon_app')
  await client.query(`SET ROLE "${other.name}"`)
  t.same(await querySchemaCreators(client), [{ schema: 'beacon_app', public: false, roles: [], owner: role.name }], 'its owner is named')
  await client.query('RESET ROLE')
  await client.query(`GRANT "${role.name}" TO "${other.name}"`)
  await client.query(`SET ROLE "${other.name}"`)
  t.same(await querySchemaCreators(client), [], 'not once Beacon\'s role is the owner\'s only member')
  await client.query('RESET ROLE')
  const third = await createTestRole()
  t.teardown(() => third.drop())
  await client.query(`GRANT "${role.name}" TO "${third.name}"`)
  await client.query(`SET ROLE "${other.name}"`)
  t.same(await querySchemaCreators(client), [{ schema: 'beacon_app', public: false, roles: [], owner: role.name }], 'named again once the owner has another member')
  await client.query('RESET ROLE')
  await client.query(`REVOKE "${role.name}" FROM "${third.name}"`)
  await client.query(`REVOKE "${role.name}" FROM "${other.name}"; REVOKE ALL ON SCHEMA beacon_app, public, shared FROM "${other.name}"`)

  // The statement itself names pg_catalog's types, functions and operators: ones planted for its
  // own operand types (domains named as its casts' types), ahead of pg_catalog on the path, would otherwise run here as Beacon's role.
  await client.query(`
    CREATE FUNCTION shared.planted(oid, oid) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RAISE 'planted ran as %', current_user; END $$;
    CREATE FUNCTION shared.planted(name, name) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RAISE 'planted ran as %', current_user; END $$;
    CREATE FUNCTION shared.unnest(name[]) RETURNS SETOF name LANGUAGE plpgsql AS $$ BEGIN RAISE 'planted unnest ran as %', current_user; END $$;
    CREATE OPERATOR shared.<> (LEFTARG = oid, RIGHTARG = oid, FUNCTION = shared.planted);
    CREATE OPERATOR shared.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = shared.planted);
    CREATE OPERATOR shared.= (LEFTARG = name, RIGHTARG = name, FUNCTION = shared.planted);
    CREATE FUNCTION shared.planted_check() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RAISE 'planted domain ran as %', current_user; END $$;
    CREATE DOMAIN shared.text AS pg_catalog.text CHECK (shared.planted_check());
    CREATE DOMAIN shared.oid AS pg_catalog.oid CHECK (shared.planted_check());
    CREATE DOMAIN shared."char" AS pg_catalog."char" CHECK (shared.planted_check())`)
  await client.query('SET search_path = shared, public, pg_catalog')
  t.same(await querySchemaCreators(client), [{ schema: 'shared', public: true, roles: [], owner: null }, { schema: 'public', public: false, roles: [role.name], owner: null }], 'nothing planted runs')
})

t.test('no schema on the search path exists: nothing to report', async (t) => {
  const database = await createTestDatabase()
  t.teardown(() => database.drop())
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  t.teardown(() => client.end())
  await client.query('GRANT CREATE ON SCHEMA public TO PUBLIC')
  await client.query('SET search_path = no_such_schema')
  t.same(await querySchemaCreators(client), [])
})
