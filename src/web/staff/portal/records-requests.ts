import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../platform/deps.ts';

/** Staff: requests for records, preparing the bundle with reasoned redactions, two-person release. */
// Filled in by the feature; registered already so the app's route table is fixed.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export function staffRecordsRequestRoutes(_app: FastifyInstance, _options: { deps: Deps }): Promise<void> {
  return Promise.resolve();
}
