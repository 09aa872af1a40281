import { rm } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { seedTemplate } from './server.ts';

/**
 * Once per browser run: the first start of the real server (migrations, the demo authority's
 * geography, the demo council's generated population and hand-made families) into a template
 * folder, which every test file's server then starts on a copy of (support/server.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const template = await seedTemplate();
  if (!/Demo data created/.test(template.output))
    throw new Error(`The template server did not seed the demo. It printed:\n${template.output}`);
  project.provide('hearthTemplate', template.dataDir);
  return async () => {
    await rm(template.dataDir, { recursive: true, force: true });
  };
}
