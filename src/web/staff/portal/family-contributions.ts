import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../platform/deps.ts';

/** Staff: the family's views, corrections to answer and messages from the portal. */
/* eslint-disable @typescript-eslint/no-unused-vars -- filled in by the feature; registered already */
export function staffFamilyContributionRoutes(
  _app: FastifyInstance,
  _options: { deps: Deps },
): Promise<void> {
  return Promise.resolve();
}
