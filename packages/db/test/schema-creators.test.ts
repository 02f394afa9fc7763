import pg from 'pg'
import t from 'tap'
import { querySchemaCreators } from '../src/schema-creators.js'
import { createTestDatabase, createTestRole } from './helpers/databases.js'

t.test('the roles that may create in Beacon\'s schema are named, its owner and Beacon\'s own role not', async (t) => {
  const database = await createTestDatabase()
  const role = await createTestRole()
  t.teardown(async () => {
    await database.drop()
    await role.drop()
  })
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  t.teardown(() => client.end())

  t.same(await querySchemaCreators(client), { schema: 'public', roles: [] }, 'PostgreSQL 15\'s default for public: nobody else')

  // A database created by PostgreSQL 14 or earlier, and one more grant on top.
  await client.query('GRANT CREATE ON SCHEMA public TO PUBLIC')
  await client.query(`GRANT CREATE ON SCHEMA public TO "${role.name}"`)
  t.same(await querySchemaCreators(client), { schema: 'public', roles: ['PUBLIC', role.name].sort() })

  // Beacon's own role holding the grant is no finding: it creates there anyway (migrations).
  await client.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC')
  await client.query(`GRANT CREATE ON SCHEMA public TO "${role.name}"`)
  await client.query(`SET ROLE "${role.name}"`)
  t.same(await querySchemaCreators(client), { schema: 'public', roles: [] }, 'seen as the role itself')
  await client.query('RESET ROLE')

  // Another schema first on the search path is the one that counts.
  await client.query(`CREATE SCHEMA beacon_app; GRANT CREATE ON SCHEMA beacon_app TO "${role.name}"`)
  await client.query('SET search_path = beacon_app, public')
  t.same(await querySchemaCreators(client), { schema: 'beacon_app', roles: [role.name] })

  // The statement itself names pg_catalog's operators: one planted for its own operand types
  // (oid, name), ahead of pg_catalog on the path, would otherwise run here, as Beacon's role.
  await client.query(`CREATE FUNCTION beacon_app.planted(oid, oid) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RAISE 'planted ran as %', current_user; END $$;
                      CREATE FUNCTION beacon_app.planted(name, name) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RAISE 'planted ran as %', current_user; END $$;
                      CREATE OPERATOR beacon_app.<> (LEFTARG = oid, RIGHTARG = oid, FUNCTION = beacon_app.planted);
                      CREATE OPERATOR beacon_app.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = beacon_app.planted);
                      CREATE OPERATOR beacon_app.= (LEFTARG = name, RIGHTARG = name, FUNCTION = beacon_app.planted)`)
  await client.query('SET search_path = beacon_app, public, pg_catalog')
  t.same(await querySchemaCreators(client), { schema: 'beacon_app', roles: [role.name] }, 'a planted operator does not run')
})

t.test('no schema on the search path exists: nothing to report', async (t) => {
  const database = await createTestDatabase()
  t.teardown(() => database.drop())
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  t.teardown(() => client.end())
  await client.query('SET search_path = no_such_schema')
  t.equal(await querySchemaCreators(client), null)
})
