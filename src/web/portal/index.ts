import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../platform/deps.ts';
import { portalContentRoutes } from './content/routes.ts';
import { portalRecordsRoutes } from './records/routes.ts';

/**
 * The family portal, mounted at /family: its own cookie, sign-in, security policy and layout,
 * isolated from the staff application.
 */
export async function portalApp(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;
  await app.register(portalContentRoutes, { deps });
  await app.register(portalRecordsRoutes, { deps });
}
