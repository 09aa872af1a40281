import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { duplicateReport, markNotDuplicates, scanForDuplicates } from '../../../modules/people/duplicates.ts';
import {
  MergeBlockedError,
  UndoBlockedError,
  mergeHistory,
  mergePeople,
  previewMerge,
  undoMerge,
} from '../../../modules/people/merge.ts';
import type { Deps } from '../../../platform/deps.ts';
import { ConflictError, NotFoundError } from '../../../platform/errors.ts';
import { field } from '../../forms.ts';
import { actorOf } from '../guard.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type PairParams = { Params: { keepId: string; mergeId: string } };
type HistoryParams = { Params: { id: string }; Querystring: { merged?: string; undone?: string } };

function version(request: FastifyRequest, name: string): number {
  const value = Number.parseInt(field(request.body, name, 12), 10);
  return Number.isFinite(value) ? value : -1;
}

/**
 * Duplicate records: the report for managers, the side-by-side merge page with its safety checks,
 * and each record's merge history with undo. Every decision is made in the services.
 */
export async function duplicateRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  app.get<{ Querystring: { page?: string } }>('/duplicates', async (request, reply) => {
    const page = Number.parseInt(typeof request.query.page === 'string' ? request.query.page : '1', 10);
    const report = await duplicateReport(deps, actorOf(request), { page: Number.isFinite(page) ? page : 1 });
    return reply.view('pages/duplicates/report.njk', { report });
  });

  app.post('/duplicates/scan', async (request, reply) => {
    await scanForDuplicates(deps, actorOf(request), request.id);
    return reply.redirect('/duplicates', 303);
  });

  async function renderCompare(
    request: FastifyRequest<PairParams>,
    reply: FastifyReply,
    extra: Record<string, unknown> = {},
  ) {
    const preview = await previewMerge(deps, actorOf(request), {
      keepId: request.params.keepId,
      mergeId: request.params.mergeId,
      requestId: request.id,
      route: '/duplicates/:keepId/:mergeId',
    });
    return reply.view('pages/duplicates/compare.njk', { preview, ...extra });
  }

  app.get<PairParams>('/duplicates/:keepId/:mergeId', async (request, reply) => {
    if (!UUID.test(request.params.keepId) || !UUID.test(request.params.mergeId)) throw new NotFoundError();
    // One record compared with itself: back to the report.
    if (request.params.keepId === request.params.mergeId) return reply.redirect('/duplicates', 303);
    return renderCompare(request, reply);
  });

  app.post<PairParams>('/duplicates/:keepId/:mergeId', async (request, reply) => {
    const { keepId, mergeId } = request.params;
    try {
      const merged = await mergePeople(deps, actorOf(request), {
        keepId,
        mergeId,
        expectedVersions: { keep: version(request, 'keepVersion'), merge: version(request, 'mergeVersion') },
        requestId: request.id,
      });
      return await reply.redirect(`/children/${keepId}/merges?merged=${merged.mergeId}`, 303);
    } catch (error) {
      if (error instanceof ConflictError) {
        reply.code(409);
        return reply.view('errors/conflict.njk', { backLink: `/duplicates/${keepId}/${mergeId}` });
      }
      if (!(error instanceof MergeBlockedError)) throw error;
      reply.code(409);
      return renderCompare(request, reply, {
        errors: { summary: error.reasons.map((r) => ({ text: r.reason, href: '#checks' })), byField: {} },
      });
    }
  });

  app.post<PairParams>('/duplicates/:keepId/:mergeId/not-duplicates', async (request, reply) => {
    await markNotDuplicates(deps, actorOf(request), {
      personA: request.params.keepId,
      personB: request.params.mergeId,
      requestId: request.id,
    });
    return reply.redirect('/duplicates', 303);
  });

  async function renderHistory(
    request: FastifyRequest,
    reply: FastifyReply,
    personId: string,
    extra: { merged?: string | undefined; undone?: string | undefined; errors?: unknown } = {},
  ) {
    const history = await mergeHistory(deps, actorOf(request), personId);
    const justMerged = history.merges.find((m) => m.id === extra.merged && !m.undoneAt);
    const justUndone = history.merges.find((m) => m.id === extra.undone && m.undoneAt);
    return reply.view('pages/duplicates/history.njk', {
      history,
      justMerged,
      justUndone,
      errors: extra.errors,
    });
  }

  app.get<HistoryParams>('/children/:id/merges', async (request, reply) =>
    renderHistory(request, reply, request.params.id, {
      merged: request.query.merged,
      undone: request.query.undone,
    }),
  );

  app.post<{ Params: { id: string; mergeId: string } }>(
    '/children/:id/merges/:mergeId/undo',
    async (request, reply) => {
      const { id, mergeId } = request.params;
      const actor = actorOf(request);
      // The merge must be one into this record (and the record in the actor's area).
      const history = await mergeHistory(deps, actor, id);
      if (!history.merges.some((m) => m.id === mergeId)) throw new NotFoundError();
      try {
        await undoMerge(deps, actor, mergeId, request.id);
        return await reply.redirect(`/children/${id}/merges?undone=${mergeId}`, 303);
      } catch (error) {
        if (!(error instanceof UndoBlockedError)) throw error;
        reply.code(409);
        return renderHistory(request, reply, id, {
          errors: {
            summary: error.reasons.map((text) => ({ text, href: `#merge-${mergeId}` })),
            byField: {},
          },
        });
      }
    },
  );
}
