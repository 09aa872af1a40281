import { failInterruptedRefreshes, scheduleInsightRefresh } from './modules/insight/snapshot.ts';
import { failInterruptedRuns } from './modules/returns/runs.service.ts';
import {
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  DEMO_POPULATION,
  DEMO_ROLE_LABELS,
  seedDemo,
} from './modules/demo/demo-seed.ts';
import { progressPrinter } from './modules/geography/geography.cli.ts';
import { loadReferenceGeography } from './modules/geography/geography.service.ts';
import { seedProgress } from './modules/synthetic/synthetic.cli.ts';
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
  const booting = performance.now();
  const { handle, deps, migrated } = await bootstrap(config);
  const demoProgress = seedProgress(process.stdout);
  if (migrated.length > 0)
    console.log(
      `Applied migrations in ${((performance.now() - booting) / 1000).toFixed(1)} s: ${migrated.join(', ')}`,
    );
  await loadReferenceGeography(handle, {
    onProgress: progressPrinter(process.stdout),
    ...(config.referenceAuthorities ? { laCodes: config.referenceAuthorities } : {}),
  }); // first start only
  if (config.demoData) {
    // The demo council's generated population needs its authority's neighbourhoods (loaded above).
    const { authority } = DEMO_POPULATION;
    const population =
      !config.referenceAuthorities || config.referenceAuthorities.includes(authority)
        ? DEMO_POPULATION
        : undefined;
    const started = performance.now();
    const seeded = await seedDemo(deps, {
      ...(population ? { population } : {}),
      onProgress: (event) => {
        if (event.kind === 'start')
          console.log('Creating the demo council (first start only): Demo Borough Council');
        demoProgress(event);
      },
      pglite: handle.pglite,
    });
    if (seeded.created) {
      const people = seeded.population
        ? `${seeded.population.children.toLocaleString('en-GB')} generated children with ten years of help, and `
        : '';
      console.log(
        `  Demo data created in ${((performance.now() - started) / 1000).toFixed(1)} s: ${people}the hand-made demo families.`,
      );
    }
  }
  // Returns that were being made when the server last stopped will never finish: say so.
  await failInterruptedRuns(deps);
  await failInterruptedRefreshes(deps.db);
  const app = await buildApp({ deps, handle });
  let stopInsightRefresh = () => {};
  const shutdown = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    stopInsightRefresh();
    await app.close();
    await handle.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  // Insight's snapshots (ADR 11): worked out again every HEARTH_INSIGHT_REFRESH_MINUTES, and soon
  // after start when the last is older than that.
  if (config.insightRefreshMinutes > 0) {
    const stop = scheduleInsightRefresh(deps.db, {
      minutes: config.insightRefreshMinutes,
      log: (event) => {
        app.log.info(event, 'insight figures refreshed');
      },
    });
    stopInsightRefresh = stop;
  }
  const where =
    config.database.kind === 'pglite'
      ? `embedded PGlite database in ${config.database.dataDir}`
      : 'PostgreSQL';
  console.log(`\nHearth is running at http://localhost:${config.port} on the ${where}.`);
  if (config.demoData) {
    console.log('\nDemo accounts (synthetic data only), all with the password:', DEMO_PASSWORD);
    for (const account of DEMO_ACCOUNTS) {
      const role = account.roles.map((r) => DEMO_ROLE_LABELS[r]).join(', ');
      console.log(`  ${account.email.padEnd(40)} ${role.padEnd(38)} ${account.team ?? ''}`.trimEnd());
    }
    console.log('For the 6-digit code, run in another terminal:  npm run hearth -- demo-code\n');
  }
}

main().catch((error: unknown) => {
  console.error('Hearth failed to start:', error instanceof Error ? error.message : error);
  if (error instanceof Error && error.cause)
    console.error('Cause:', error.cause instanceof Error ? error.cause.message : error.cause);
  process.exit(1);
});
