import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { familyMeetings } from '../../../modules/portal/content/meetings.ts';
import {
  familyReply,
  familyThread,
  familyThreads,
  outOfHoursText,
  startFamilyThread,
} from '../../../modules/portal/content/messages.ts';
import { familyPlans } from '../../../modules/portal/content/plan.ts';
import { familyReports, openFamilyReport } from '../../../modules/portal/content/reports.ts';
import {
  addFamilyView,
  editFamilyView,
  familyItemPage,
  familyViewsPage,
  raiseCorrection,
} from '../../../modules/portal/content/views.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError, VersionConflictError } from '../../../platform/errors.ts';
import { field, formErrors, type FormErrors } from '../../forms.ts';
import { familyActorOf } from '../guard.ts';

type ChildParams = { Params: { childId: string } };
type ShareParams = { Params: { childId: string; shareId: string } };
type ItemParams = { Params: { childId: string; type: string; itemId: string } };
type ViewParams = { Params: { childId: string; type: string; itemId: string; viewId: string } };
type ThreadParams = { Params: { childId: string; threadId: string } };

const DONE: Readonly<Record<string, string>> = {
  view: 'Thank you. Your view has been saved. Your worker can see it.',
  edited: 'Your view has been changed.',
  correction: 'Thank you. Your worker will answer you here.',
  sent: 'Your message has been sent.',
};

function done(request: FastifyRequest): string | undefined {
  return DONE[field(request.query, 'done', 20)];
}

/** A filename safe to put in a header: letters, digits, dots, dashes and underscores only. */
function safeFilename(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+/, '');
  return cleaned.slice(0, 100) || 'report';
}

/** Portal: the child's plan, meetings, reports shared before meetings, the family's own views and corrections, messages. */
export async function portalContentRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;
  await Promise.resolve();

  const context = (request: FastifyRequest, route: string) => ({
    requestId: request.id,
    route: `/family${route}`,
  });

  app.get<ChildParams>('/children/:childId/plan', async (request, reply) => {
    const page = await familyPlans(deps, familyActorOf(request), {
      childId: request.params.childId,
      ...context(request, '/children/:childId/plan'),
    });
    return reply.portalView('portal/content/plan.njk', {
      ...page,
      canGiveViews: canSeeViews(request, page.child.id),
    });
  });

  app.get<ChildParams>('/children/:childId/meetings', async (request, reply) => {
    const page = await familyMeetings(deps, familyActorOf(request), {
      childId: request.params.childId,
      ...context(request, '/children/:childId/meetings'),
    });
    return reply.portalView('portal/content/meetings.njk', {
      ...page,
      canGiveViews: canSeeViews(request, page.child.id),
    });
  });

  app.get<ChildParams>('/children/:childId/reports', async (request, reply) => {
    const page = await familyReports(deps, familyActorOf(request), {
      childId: request.params.childId,
      ...context(request, '/children/:childId/reports'),
    });
    return reply.portalView('portal/content/reports.njk', page);
  });

  app.get<ShareParams>('/children/:childId/reports/:shareId', async (request, reply) => {
    const file = await openFamilyReport(deps, familyActorOf(request), {
      childId: request.params.childId,
      shareId: request.params.shareId,
      ...context(request, '/children/:childId/reports/:shareId'),
    });
    return reply
      .header('Content-Disposition', `attachment; filename="${safeFilename(file.filename)}"`)
      .header('Cache-Control', 'no-store')
      .header('X-Content-Type-Options', 'nosniff')
      .type('application/octet-stream')
      .send(Buffer.from(file.content));
  });

  function canSeeViews(request: FastifyRequest, childId: string): boolean {
    return familyActorOf(request).children.some((c) => c.childId === childId && c.sections.includes('views'));
  }

  // ---- The family's own views and corrections -------------------------------------------------

  app.get<ChildParams>('/children/:childId/views', async (request, reply) => {
    const page = await familyViewsPage(deps, familyActorOf(request), {
      childId: request.params.childId,
      ...context(request, '/children/:childId/views'),
    });
    return reply.portalView('portal/content/views.njk', page);
  });

  const ITEM_ROUTE = '/children/:childId/views/:type/:itemId';

  async function renderItem(
    request: FastifyRequest<ItemParams>,
    reply: FastifyReply,
    extra: {
      errors?: FormErrors;
      values?: Record<string, string>;
      conflict?: { saved: string; yours: string };
      /** The view whose edit form the errors belong to (none: the new view form). */
      editing?: string;
    } = {},
  ) {
    const page = await familyItemPage(deps, familyActorOf(request), {
      childId: request.params.childId,
      aboutType: request.params.type,
      aboutId: request.params.itemId,
      ...context(request, ITEM_ROUTE),
    });
    return reply.portalView('portal/content/item.njk', {
      ...page,
      base: `/family/children/${page.child.id}/views/${page.item.type}/${page.item.id}`,
      done: done(request),
      values: extra.values ?? {},
      errors: extra.errors,
      conflict: extra.conflict,
      editing: extra.editing,
    });
  }

  app.get<ItemParams>(ITEM_ROUTE, async (request, reply) => renderItem(request, reply));

  app.post<ItemParams>(ITEM_ROUTE, async (request, reply) => {
    const body = field(request.body, 'body', 10_001);
    try {
      await addFamilyView(deps, familyActorOf(request), {
        childId: request.params.childId,
        aboutType: request.params.type,
        aboutId: request.params.itemId,
        body,
        ...context(request, ITEM_ROUTE),
      });
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      reply.code(400);
      return renderItem(request, reply, { errors: formErrors(error.errors), values: { body } });
    }
    return reply.redirect(
      `/family/children/${request.params.childId}/views/${request.params.type}/${request.params.itemId}?done=view`,
      303,
    );
  });

  app.post<ViewParams>(`${ITEM_ROUTE}/views/:viewId`, async (request, reply) => {
    const body = field(request.body, 'body', 10_001);
    const version = Number.parseInt(field(request.body, 'version', 10), 10);
    const base = `/family/children/${request.params.childId}/views/${request.params.type}/${request.params.itemId}`;
    try {
      await editFamilyView(deps, familyActorOf(request), {
        childId: request.params.childId,
        aboutType: request.params.type,
        aboutId: request.params.itemId,
        viewId: request.params.viewId,
        body,
        version: Number.isSafeInteger(version) ? version : -1,
        backLink: base,
        ...context(request, `${ITEM_ROUTE}/views/:viewId`),
      });
    } catch (error) {
      if (error instanceof InvalidInputError) {
        reply.code(400);
        return renderItem(request, reply, {
          errors: formErrors(error.errors, { body: `edit-${request.params.viewId}` }),
          editing: request.params.viewId,
        });
      }
      if (error instanceof VersionConflictError) {
        reply.code(409);
        return renderItem(request, reply, {
          conflict: { saved: error.fields[0]?.saved ?? '', yours: error.fields[0]?.yours ?? body },
        });
      }
      throw error;
    }
    return reply.redirect(`${base}?done=edited`, 303);
  });

  app.post<ItemParams>(`${ITEM_ROUTE}/corrections`, async (request, reply) => {
    const values = {
      whatIsWrong: field(request.body, 'whatIsWrong', 2_001),
      comment: field(request.body, 'comment', 5_001),
    };
    try {
      await raiseCorrection(deps, familyActorOf(request), {
        childId: request.params.childId,
        aboutType: request.params.type,
        aboutId: request.params.itemId,
        ...values,
        ...context(request, `${ITEM_ROUTE}/corrections`),
      });
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      reply.code(400);
      return renderItem(request, reply, { errors: formErrors(error.errors), values });
    }
    return reply.redirect(
      `/family/children/${request.params.childId}/views/${request.params.type}/${request.params.itemId}?done=correction`,
      303,
    );
  });

  // ---- Messages -------------------------------------------------------------------------------

  async function renderMessages(
    request: FastifyRequest<ChildParams>,
    reply: FastifyReply,
    extra: { errors?: FormErrors; values?: Record<string, string> } = {},
  ) {
    const page = await familyThreads(deps, familyActorOf(request), {
      childId: request.params.childId,
      ...context(request, '/children/:childId/messages'),
    });
    return reply.portalView('portal/content/messages.njk', {
      ...page,
      outOfHours: outOfHoursText(deps.config),
      done: done(request),
      values: extra.values ?? {},
      errors: extra.errors,
    });
  }

  app.get<ChildParams>('/children/:childId/messages', async (request, reply) =>
    renderMessages(request, reply),
  );

  app.post<ChildParams>('/children/:childId/messages', async (request, reply) => {
    const values = { subject: field(request.body, 'subject', 201), body: field(request.body, 'body', 5_001) };
    let threadId: string;
    try {
      threadId = await startFamilyThread(deps, familyActorOf(request), {
        childId: request.params.childId,
        ...values,
        ...context(request, '/children/:childId/messages'),
      });
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      reply.code(400);
      return renderMessages(request, reply, { errors: formErrors(error.errors), values });
    }
    return reply.redirect(`/family/children/${request.params.childId}/messages/${threadId}?done=sent`, 303);
  });

  async function renderThread(
    request: FastifyRequest<ThreadParams>,
    reply: FastifyReply,
    extra: { errors?: FormErrors; values?: Record<string, string> } = {},
  ) {
    const page = await familyThread(deps, familyActorOf(request), {
      childId: request.params.childId,
      threadId: request.params.threadId,
      ...context(request, '/children/:childId/messages/:threadId'),
    });
    return reply.portalView('portal/content/thread.njk', {
      ...page,
      outOfHours: outOfHoursText(deps.config),
      done: done(request),
      values: extra.values ?? {},
      errors: extra.errors,
    });
  }

  app.get<ThreadParams>('/children/:childId/messages/:threadId', async (request, reply) =>
    renderThread(request, reply),
  );

  app.post<ThreadParams>('/children/:childId/messages/:threadId', async (request, reply) => {
    const values = { body: field(request.body, 'body', 5_001) };
    try {
      await familyReply(deps, familyActorOf(request), {
        childId: request.params.childId,
        threadId: request.params.threadId,
        ...values,
        ...context(request, '/children/:childId/messages/:threadId'),
      });
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      reply.code(400);
      return renderThread(request, reply, { errors: formErrors(error.errors), values });
    }
    return reply.redirect(
      `/family/children/${request.params.childId}/messages/${request.params.threadId}?done=sent`,
      303,
    );
  });
}
