import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../platform/deps.ts';

/** Staff: the local services directory, referrals to services and their outcomes. */
// Filled in by the feature; registered already so the app's route table is fixed.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export function directoryRoutes(_app: FastifyInstance, _options: { deps: Deps }): Promise<void> {
  return Promise.resolve();
}
