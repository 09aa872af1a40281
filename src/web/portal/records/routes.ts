import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../platform/deps.ts';

/** Portal: asking for records (subject access) and downloading a released bundle. */
// Filled in by the feature; registered already so the app's route table is fixed.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export function portalRecordsRoutes(_app: FastifyInstance, _options: { deps: Deps }): Promise<void> {
  return Promise.resolve();
}
