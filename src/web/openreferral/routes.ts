import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../platform/deps.ts';

/** Open Referral UK read endpoints (public JSON) for the local services directory. */
// Filled in by the feature; registered already so the app's route table is fixed.
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export function openReferralRoutes(_app: FastifyInstance, _options: { deps: Deps }): Promise<void> {
  return Promise.resolve();
}
