/**
 * `npx hearth insight refresh`: works the insight figures out again (every snapshot, ADR 11) and
 * prints how long each took. For a council that runs the refresh from a scheduler (cron) with
 * HEARTH_INSIGHT_REFRESH_MINUTES=0 in the server. Exit 0 refreshed, 3 another refresh is running.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { refreshInsightSnapshots } from './snapshot.ts';

export const INSIGHT_HELP = `  insight refresh                 Work the insight figures out again now (every snapshot), with each one's time`;

export async function insightCommand(db: Kysely<Database>, args: readonly string[]): Promise<number> {
  if (args[0] !== 'refresh' || args.length > 1) {
    console.error(`Usage: npx hearth insight refresh\n${INSIGHT_HELP}`);
    return 2;
  }
  const result = await refreshInsightSnapshots(db, {
    trigger: 'command',
    onProgress: (view, ms) => {
      console.log(`  ${`${view}_snapshot`.padEnd(44)} ${(ms / 1000).toFixed(1).padStart(7)} s`);
    },
  });
  if (result.status === 'busy') {
    console.error('Another refresh of the insight figures is running now; nothing was done.');
    return 3;
  }
  console.log(
    `Insight figures worked out again in ${(result.milliseconds / 1000).toFixed(1)} s (into ${result.set}; the pages read it from now on).`,
  );
  return 0;
}
