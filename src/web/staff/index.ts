import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../platform/deps.ts';
import { cookieNames } from '../plugins/session.ts';
import { adminRoutes } from './admin/routes.ts';
import { assessmentRoutes } from './assessments/routes.ts';
import { breakGlassRoutes } from './break-glass/routes.ts';
import { careRoutes } from './care/routes.ts';
import { childrenRoutes } from './children/routes.ts';
import { familyMapRoutes } from './family-map/routes.ts';
import { frontDoorRoutes } from './front-door/routes.ts';
import { duplicateRoutes } from './duplicates/routes.ts';
import { staffGuard } from './guard.ts';
import { helpRoutes } from './help/routes.ts';
import { homeRoutes } from './home/routes.ts';
import { insightRoutes } from './insight/routes.ts';
import { planRoutes } from './plans/routes.ts';
import { protectionRoutes } from './protection/routes.ts';
import { recordRoutes } from './record/routes.ts';
import { restrictionRoutes } from './restrictions/routes.ts';
import { returnsRoutes } from './returns/routes.ts';
import { searchRoutes } from './search/routes.ts';
import { oidcSignInRoutes } from './sign-in/oidc.ts';
import { signInRoutes } from './sign-in/routes.ts';

/** The staff application: everything a practitioner, manager or administrator uses. */
export async function staffApp(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;
  const names = cookieNames(deps.config.cookieSecure);
  app.addHook('preHandler', staffGuard);
  await app.register(signInRoutes, { deps, names });
  await app.register(oidcSignInRoutes, { deps, names });
  await app.register(homeRoutes, { deps });
  await app.register(childrenRoutes, { deps });
  await app.register(familyMapRoutes, { deps });
  await app.register(breakGlassRoutes, { deps });
  await app.register(adminRoutes, { deps });
  await app.register(restrictionRoutes, { deps });
  await app.register(duplicateRoutes, { deps });
  await app.register(searchRoutes, { deps });
  await app.register(assessmentRoutes, { deps });
  await app.register(planRoutes, { deps });
  await app.register(frontDoorRoutes, { deps });
  await app.register(recordRoutes, { deps });
  await app.register(helpRoutes, { deps });
  await app.register(careRoutes, { deps });
  await app.register(protectionRoutes, { deps });
  await app.register(returnsRoutes, { deps });
  await app.register(insightRoutes, { deps });
}
