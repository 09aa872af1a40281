import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../platform/deps.ts';

/** Staff: family network meetings from offer to the family's plan and review; support packages; the report. */
// Filled in by the feature; registered already so the app's route table is fixed.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export function familyNetworkRoutes(_app: FastifyInstance, _options: { deps: Deps }): Promise<void> {
  return Promise.resolve();
}
