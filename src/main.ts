import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo } from './modules/demo/demo-seed.ts';
import { progressPrinter } from './modules/geography/geography.cli.ts';
import { loadReferenceGeography } from './modules/geography/geography.service.ts';
import { bootstrap } from './platform/bootstrap.ts';
import { ConfigError, loadConfig } from './platform/config.ts';
import { buildApp } from './web/app.ts';

/** Process entry: config → database → migrations → reference geography → demo data → listen → graceful shutdown. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
  const { handle, deps, migrated } = await bootstrap(config);
  if (migrated.length > 0) console.log(`Applied migrations: ${migrated.join(', ')}`);
  await loadReferenceGeography(handle, {
    onProgress: progressPrinter(process.stdout),
    ...(config.referenceAuthorities ? { laCodes: config.referenceAuthorities } : {}),
  }); // first start only
  if (config.demoData) await seedDemo(deps);
  const app = await buildApp({ deps, handle });
  const shutdown = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await handle.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  const where = config.database.kind === 'pglite' ? `embedded PGlite database in ${config.database.dataDir}` : 'PostgreSQL';
  console.log(`\nHearth is running at http://localhost:${config.port} on the ${where}.`);
  if (config.demoData) {
    console.log('\nDemo accounts (synthetic data only), all with the password:', DEMO_PASSWORD);
    for (const account of DEMO_ACCOUNTS) console.log(`  ${account.email.padEnd(42)} ${account.roles.join(', ')}`);
    console.log('For the 6-digit code, run in another terminal:  npm run hearth -- demo-code\n');
  }
}

main().catch((error: unknown) => {
  console.error('Hearth failed to start:', error instanceof Error ? error.message : error);
  if (error instanceof Error && error.cause) console.error('Cause:', error.cause instanceof Error ? error.cause.message : error.cause);
  process.exit(1);
});
