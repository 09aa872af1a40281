import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { lockDataDir } from '../db/connect.ts';
import { createUser } from '../modules/access/users.service.ts';
import {
  DEMO_ACCOUNTS,
  DEMO_POPULATION,
  demoPopulationAvailable,
  seedDemo,
} from '../modules/demo/demo-seed.ts';
import { loadGeographyCommand, loadPostcodesCommand } from '../modules/geography/geography.cli.ts';
import { RETURNS_PRODUCE_HELP, returnsProduceCommand } from '../modules/returns/produce.cli.ts';
import { IMPORT_HELP, importCommand } from '../modules/returns/import/import.cli.ts';
import { VALIDATE_HELP, validateCommand } from '../modules/returns/validate.cli.ts';
import { DIRECTORY_HELP, directoryCommand } from '../modules/directory/directory.cli.ts';
import {
  calibrationCommand,
  SEED_HELP,
  seedCommand,
  seedProgress,
} from '../modules/synthetic/synthetic.cli.ts';
import { verifyAuditChain } from '../platform/audit/audit.ts';
import { totpCode } from '../platform/auth/totp.ts';
import { bootstrap } from '../platform/bootstrap.ts';
import { ConfigError, loadConfig, type Config } from '../platform/config.ts';
import { InvalidInputError } from '../platform/errors.ts';

import { INSIGHT_HELP, insightCommand } from '../modules/insight/insight.cli.ts';
const HELP = `Usage: npx hearth <command> [options]

Commands:
  migrate                         Apply pending database migrations
  seed-demo                       Create the demo council, accounts and synthetic children
  create-user --email E --name N [--role R]... [--team T]... [--password P] [--organisation O]
                                  Create a staff account (roles: practitioner, team_manager,
                                  service_manager, senior_leader, administrator)
  verify-audit                    Check the audit log's hash chain; exit 1 if it has been tampered with
  backup --out PATH               PostgreSQL: pg_dump SQL file. PGlite: a copy of the data folder
  restore --from PATH [--force]   The reverse of backup
  demo-code                       Print the current sign-in codes for the demo accounts
  load-geography [--force]        Load the shipped neighbourhoods (LSOA 2021 with IMD 2025) and postcodes,
                                  if not already loaded (--force: also replace a council's own postcodes)
  load-postcodes --file PATH      Load a newer ONS postcode lookup (NSPL or ONSPD .csv or .csv.gz) in place
                                  of the shipped postcodes; every bad row is listed and nothing is loaded
${SEED_HELP}
${RETURNS_PRODUCE_HELP}
${VALIDATE_HELP}
${IMPORT_HELP}
${DIRECTORY_HELP}
${INSIGHT_HELP}

Settings come from the environment (DATABASE_URL, HEARTH_DATA_DIR, ...), as for the server.`;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

async function withDeps<T>(
  config: Config,
  work: (ctx: Awaited<ReturnType<typeof bootstrap>>) => Promise<T>,
): Promise<T> {
  const ctx = await bootstrap(config);
  try {
    return await work(ctx);
  } finally {
    await ctx.handle.close();
  }
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    console.log(HELP);
    return 0;
  }
  if (command === 'demo-code') {
    for (const account of DEMO_ACCOUNTS) console.log(`${account.email.padEnd(42)} ${totpCode(account.totp)}`);
    console.log('\nCodes change every 30 seconds, and each can be used once.');
    return 0;
  }
  // Needs no database or settings.
  if (command === 'validate') return validateCommand(rest);
  const config = loadConfig();
  switch (command) {
    case 'migrate':
      return withDeps(config, ({ migrated }) => {
        console.log(migrated.length ? `Applied: ${migrated.join(', ')}` : 'The database is up to date.');
        return Promise.resolve(0);
      });
    case 'seed-demo':
      if (config.env === 'production') fail('Demo data is never created in production.');
      return withDeps(config, async ({ deps, handle }) => {
        // The generated population needs its neighbourhoods (npm start loads them first).
        const generate = await demoPopulationAvailable(deps);
        if (!generate)
          console.log(
            'The demo population is left out: run `npx hearth load-geography` first to include it.',
          );
        const { created } = await seedDemo(deps, {
          ...(generate ? { population: DEMO_POPULATION } : {}),
          onProgress: seedProgress(process.stderr),
          pglite: handle.pglite,
        });
        console.log(created ? 'Demo data created.' : 'Demo data was already there.');
        return 0;
      });
    case 'create-user': {
      const { values } = parseArgs({
        args: rest,
        options: {
          email: { type: 'string' },
          name: { type: 'string' },
          role: { type: 'string', multiple: true },
          team: { type: 'string', multiple: true },
          password: { type: 'string' },
          organisation: { type: 'string' },
        },
      });
      if (!values.email || !values.name) fail('create-user needs --email and --name');
      return withDeps(config, async ({ deps }) => {
        let orgQuery = deps.db
          .selectFrom('organisations')
          .select(['id', 'name'])
          .where('kind', '=', 'local_authority');
        if (values.organisation) orgQuery = orgQuery.where('name', '=', values.organisation);
        let org = await orgQuery.orderBy('created_at').executeTakeFirst();
        if (!org) {
          if (!values.organisation)
            fail('No council exists yet: give its name with --organisation "Name of council"');
          org = await deps.db
            .insertInto('organisations')
            .values({ name: values.organisation, kind: 'local_authority', la_code: null })
            .returning(['id', 'name'])
            .executeTakeFirstOrThrow();
        }
        const teamNames = values.team ?? [];
        const teams = teamNames.length
          ? await deps.db
              .selectFrom('teams')
              .select(['id', 'name'])
              .where('organisation_id', '=', org.id)
              .where('name', 'in', teamNames)
              .execute()
          : [];
        const missing = teamNames.filter((name) => !teams.some((t) => t.name === name));
        if (missing.length) fail(`No such team: ${missing.join(', ')}`);
        try {
          const id = await createUser(deps, 'system', org.id, {
            email: values.email ?? '',
            displayName: values.name ?? '',
            roleIds: values.role ?? [],
            teamIds: teams.map((t) => t.id),
            ...(values.password ? { password: values.password } : {}),
          });
          console.log(
            `Created ${values.email} (${id}) in ${org.name}. They set up their authenticator app at first sign-in.`,
          );
          return 0;
        } catch (error) {
          if (error instanceof InvalidInputError)
            fail(error.errors.map((e) => `${e.field}: ${e.message}`).join('\n'));
          throw error;
        }
      });
    }
    case 'verify-audit':
      return withDeps(config, async ({ deps }) => {
        const result = await verifyAuditChain(deps.db);
        if (result.ok) {
          console.log(`Audit log intact: ${result.rows} entries. Chain head: ${result.head ?? '(empty)'}`);
          console.log('Keep a copy of the chain head outside the database to detect wholesale rewriting.');
          return 0;
        }
        console.error(
          `Audit log TAMPERED: entry ${result.firstBrokenSeq}: ${result.problem} (${result.rows} entries checked)`,
        );
        return 1;
      });
    case 'backup': {
      const { values } = parseArgs({ args: rest, options: { out: { type: 'string' } } });
      if (!values.out) fail('backup needs --out PATH');
      if (config.database.kind === 'postgres') {
        const result = spawnSync(
          'pg_dump',
          ['--no-owner', '--no-privileges', '--file', values.out, config.database.url],
          { stdio: 'inherit' },
        );
        if (result.status !== 0) fail('pg_dump failed');
      } else {
        if (existsSync(values.out) && readdirSync(values.out).length > 0) fail(`${values.out} is not empty`);
        const unlock = lockDataDir(config.database.dataDir);
        try {
          cpSync(config.database.dataDir, values.out, {
            recursive: true,
            filter: (src) => !src.endsWith('hearth.lock'),
          });
        } finally {
          unlock();
        }
      }
      console.log(`Backup written to ${values.out}`);
      return 0;
    }
    case 'restore': {
      const { values } = parseArgs({
        args: rest,
        options: { from: { type: 'string' }, force: { type: 'boolean' } },
      });
      if (!values.from || !existsSync(values.from)) fail('restore needs --from PATH of an existing backup');
      if (config.database.kind === 'postgres') {
        const result = spawnSync(
          'psql',
          ['--quiet', '--set', 'ON_ERROR_STOP=1', '--file', values.from, config.database.url],
          { stdio: 'inherit' },
        );
        if (result.status !== 0) fail('psql failed');
      } else {
        const dir = config.database.dataDir;
        if (
          existsSync(dir) &&
          readdirSync(dir).filter((f) => f !== 'hearth.lock').length > 0 &&
          !values.force
        ) {
          fail(`${dir} already holds a database: add --force to replace it`);
        }
        const unlock = lockDataDir(dir);
        try {
          for (const entry of readdirSync(dir))
            if (entry !== 'hearth.lock') rmSync(`${dir}/${entry}`, { recursive: true, force: true });
          cpSync(values.from, dir, { recursive: true });
        } finally {
          unlock();
        }
      }
      console.log('Restored.');
      return 0;
    }
    case 'load-geography':
      return withDeps(config, ({ handle }) => loadGeographyCommand(handle, rest));
    case 'load-postcodes':
      return withDeps(config, ({ handle }) => loadPostcodesCommand(handle, rest));
    case 'seed':
      return seedCommand(rest, (work) => withDeps(config, ({ handle }) => work(handle)));
    case 'calibration':
      return calibrationCommand(rest, (work) => withDeps(config, ({ handle }) => work(handle)));
    case 'import':
      return importCommand(rest, (work) => withDeps(config, ({ handle }) => work(handle)));
    case 'returns':
      return returnsProduceCommand(rest, (work) => withDeps(config, ({ handle }) => work(handle)));
    case 'insight':
      return withDeps(config, ({ deps }) => insightCommand(deps.db, rest));
    case 'directory':
      return directoryCommand(rest, (work) => withDeps(config, ({ handle }) => work(handle)));
    default:
      console.error(`Unknown command: ${command}\n\n${HELP}`);
      return 2;
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
