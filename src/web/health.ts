import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { migrationStatus } from '../db/migrate.ts';
import type { Deps } from '../platform/deps.ts';
import type { DbHandle } from '../db/connect.ts';

/** For load balancers: 200 when the database answers and every migration is applied, else 503. */
export async function healthRoutes(
  app: FastifyInstance,
  options: { deps: Deps; handle: Pick<DbHandle, 'kind'> },
) {
  const { deps } = options;
  app.get('/health', async (_request, reply) => {
    try {
      await sql`SELECT 1`.execute(deps.db);
      const status = await migrationStatus({ db: deps.db, execScript: async () => undefined });
      const current = status.pending.length === 0 && status.changed.length === 0;
      return await reply.code(current ? 200 : 503).send({
        status: current ? 'ok' : 'migrations-pending',
        database: 'reachable',
        engine: options.handle.kind,
        migrations: current ? 'current' : { pending: status.pending, changed: status.changed },
      });
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: 'unreachable' });
    }
  });
}
