import type { DbHandle } from '../../db/connect.ts';
import { importFeed } from './import.ts';

export const DIRECTORY_HELP = `  directory import URL            Read another directory's Open Referral UK feed (its API root or its
                                  /services address) into the local services directory`;

/** `npx hearth directory import URL`. */
export async function directoryCommand(
  args: readonly string[],
  withHandle: (work: (handle: DbHandle) => Promise<number>) => Promise<number>,
): Promise<number> {
  const [sub, url, ...extra] = args;
  if (sub !== 'import' || !url || extra.length > 0) {
    console.error(`Usage:\n${DIRECTORY_HELP}`);
    return 2;
  }
  return withHandle(async (handle) => {
    const summary = await importFeed(handle.db, url);
    console.log(
      `Read ${summary.read} services from ${summary.pages} ${summary.pages === 1 ? 'page' : 'pages'}; saved ${summary.saved}.`,
    );
    for (const p of summary.problems) console.log(`  Skipped ${p.serviceId}: ${p.problem}`);
    return summary.problems.length > 0 ? 1 : 0;
  });
}
