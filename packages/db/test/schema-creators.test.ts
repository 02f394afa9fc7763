import pg from 'pg'
import t from 'tap'
import { querySchemaCreators } from '../src/schema-creators.js'
import { createTestDatabase, createTestRole } from './helpers/databases.js'

t.test('the roles that may create in a schema of Beacon\'s search path are named, a schema\'s owner and Beacon\'s own role not', async (t) => {
  const database = await createTestDatabase()
  const role = await createTestRole()
  t.teardown(async () => {
    await database.drop()
    await role.drop()
  })
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  t.teardown(() => client.end())

  t.same(await querySchemaCreators(client), [], 'PostgreSQL 15\'s default for public: nobody else')

  // A database created by PostgreSQL 14 or earlier, and one more grant on top.
  await client.query('GRANT CREATE ON SCHEMA public TO PUBLIC')
  await client.query(`GRANT CREATE ON SCHEMA public TO "${role.name}"`)
  t.same(await querySchemaCreators(client), [{ schema: 'public', roles: ['PUBLIC', role.name].sort() }])

  // Beacon's own role holding the grant is no finding: it creates there anyway (migrations).
  await client.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC')
  await client.query(`SET ROLE "${role.name}"`)
  t.same(await querySchemaCreators(client), [], 'seen as the role itself')
  await client.query('RESET ROLE')

  // Every schema of the path counts, in its order, and only schemas that exist; a schema's owner
  // is not named (it administers the schema).
  await client.query(`CREATE SCHEMA beacon_app AUTHORIZATION "${role.name}"; CREATE SCHEMA shared; GRANT CREATE ON SCHEMA shared TO PUBLIC`)
  await client.query('SET search_path = beacon_app, no_such_schema, public, shared')
  t.same(await querySchemaCreators(client), [{ schema: 'public', roles: [role.name] }, { schema: 'shared', roles: ['PUBLIC'] }])

  // The statement itself names pg_catalog's functions and operators: ones planted for its own
  // operand types, ahead of pg_catalog on the path, would otherwise run here as Beacon's role.
  await client.query(`
    CREATE FUNCTION shared.planted(oid, oid) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RAISE 'planted ran as %', current_user; END $$;
    CREATE FUNCTION shared.planted(name, name) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RAISE 'planted ran as %', current_user; END $$;
    CREATE FUNCTION shared.unnest(name[]) RETURNS SETOF name LANGUAGE plpgsql AS $$ BEGIN RAISE 'planted unnest ran as %', current_user; END $$;
    CREATE OPERATOR shared.<> (LEFTARG = oid, RIGHTARG = oid, FUNCTION = shared.planted);
    CREATE OPERATOR shared.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = shared.planted);
    CREATE OPERATOR shared.= (LEFTARG = name, RIGHTARG = name, FUNCTION = shared.planted)`)
  await client.query('SET search_path = shared, public, pg_catalog')
  t.same(await querySchemaCreators(client), [{ schema: 'shared', roles: ['PUBLIC'] }, { schema: 'public', roles: [role.name] }], 'nothing planted runs')
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
