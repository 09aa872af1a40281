import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  staffReply,
  staffStartThread,
  staffThread,
  staffThreads,
} from '../../../modules/portal/content/messages.ts';
import { shareDocument, withdrawShare } from '../../../modules/portal/content/reports.ts';
import { staffPortalPage } from '../../../modules/portal/content/staff.ts';
import { answerCorrection } from '../../../modules/portal/content/views.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError } from '../../../platform/errors.ts';
import { field, fieldList, formErrors, type FormErrors } from '../../forms.ts';
import { actorOf } from '../guard.ts';

type IdParams = { Params: { id: string } };
type CorrectionParams = { Params: { id: string; correctionId: string } };
type ShareParams = { Params: { id: string; shareId: string } };
type ThreadParams = { Params: { id: string; threadId: string } };

const ROUTE = '/children/:id/family-portal';

const DONE: Readonly<Record<string, string>> = {
  answered: 'Your answer has been saved. The family can see it.',
  shared: 'The document has been shared. You will see here when they open it.',
  withdrawn: 'The document is no longer shared.',
  sent: 'Your message has been sent.',
};

function done(request: FastifyRequest): string | undefined {
  return DONE[field(request.query, 'done', 20)];
}

/**
 * Staff: what the family has said through the portal (views beside the professional text, corrections
 * to answer), reports shared with them and their read receipts, and messages. The services check the
 * child is in the actor's scope (not found otherwise) and audit every view and change.
 */
export async function staffFamilyContributionRoutes(
  app: FastifyInstance,
  options: { deps: Deps },
): Promise<void> {
  const { deps } = options;
  await Promise.resolve();

  async function renderPage(
    request: FastifyRequest<IdParams>,
    reply: FastifyReply,
    extra: { errors?: FormErrors; errorFor?: string; values?: Record<string, string | string[]> } = {},
  ) {
    const page = await staffPortalPage(deps, actorOf(request), {
      childId: request.params.id,
      requestId: request.id,
      route: `${ROUTE}/contributions`,
    });
    return reply.view('pages/family-portal/contributions.njk', {
      ...page,
      base: `/children/${page.child.id}/family-portal`,
      done: done(request),
      errors: extra.errors,
      errorFor: extra.errorFor,
      values: extra.values ?? {},
    });
  }

  app.get<IdParams>(`${ROUTE}/contributions`, async (request, reply) => renderPage(request, reply));

  app.post<CorrectionParams>(`${ROUTE}/corrections/:correctionId`, async (request, reply) => {
    const values = {
      outcome: field(request.body, 'outcome', 20),
      answer: field(request.body, 'answer', 5_001),
    };
    const version = Number.parseInt(field(request.body, 'version', 10), 10);
    const back = `/children/${request.params.id}/family-portal/contributions`;
    try {
      await answerCorrection(deps, actorOf(request), {
        childId: request.params.id,
        correctionId: request.params.correctionId,
        ...values,
        version: Number.isSafeInteger(version) ? version : -1,
        backLink: back,
        requestId: request.id,
        route: `${ROUTE}/corrections/:correctionId`,
      });
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      reply.code(400);
      const id = request.params.correctionId;
      return renderPage(request, reply, {
        errors: formErrors(error.errors, { outcome: `outcome-${id}`, answer: `answer-${id}` }),
        errorFor: id,
        values,
      });
    }
    return reply.redirect(`${back}?done=answered`, 303);
  });

  app.post<IdParams>(`${ROUTE}/shares`, async (request, reply) => {
    const values = {
      documentId: field(request.body, 'documentId', 40),
      accountIds: fieldList(request.body, 'accountIds'),
      conferenceId: field(request.body, 'conferenceId', 40),
    };
    try {
      await shareDocument(deps, actorOf(request), {
        childId: request.params.id,
        ...values,
        requestId: request.id,
        route: `${ROUTE}/shares`,
      });
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      reply.code(400);
      return renderPage(request, reply, {
        errors: formErrors(error.errors, {
          accountIds: `accountIds-${values.documentId}`,
          conferenceId: `conferenceId-${values.documentId}`,
        }),
        errorFor: values.documentId,
        values,
      });
    }
    return reply.redirect(`/children/${request.params.id}/family-portal/contributions?done=shared`, 303);
  });

  app.post<ShareParams>(`${ROUTE}/shares/:shareId/withdraw`, async (request, reply) => {
    await withdrawShare(deps, actorOf(request), {
      childId: request.params.id,
      shareId: request.params.shareId,
      requestId: request.id,
      route: `${ROUTE}/shares/:shareId/withdraw`,
    });
    return reply.redirect(`/children/${request.params.id}/family-portal/contributions?done=withdrawn`, 303);
  });

  // ---- Messages -------------------------------------------------------------------------------

  async function renderMessages(
    request: FastifyRequest<IdParams>,
    reply: FastifyReply,
    extra: { errors?: FormErrors; values?: Record<string, string> } = {},
  ) {
    const page = await staffThreads(deps, actorOf(request), {
      childId: request.params.id,
      requestId: request.id,
      route: `${ROUTE}/messages`,
    });
    return reply.view('pages/family-portal/messages.njk', {
      ...page,
      base: `/children/${page.child.id}/family-portal`,
      done: done(request),
      errors: extra.errors,
      values: extra.values ?? {},
    });
  }

  app.get<IdParams>(`${ROUTE}/messages`, async (request, reply) => renderMessages(request, reply));

  app.post<IdParams>(`${ROUTE}/messages`, async (request, reply) => {
    const values = {
      accountId: field(request.body, 'accountId', 40),
      subject: field(request.body, 'subject', 201),
      body: field(request.body, 'body', 5_001),
    };
    let threadId: string;
    try {
      threadId = await staffStartThread(deps, actorOf(request), {
        childId: request.params.id,
        ...values,
        requestId: request.id,
        route: `${ROUTE}/messages`,
      });
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      reply.code(400);
      return renderMessages(request, reply, { errors: formErrors(error.errors), values });
    }
    return reply.redirect(`/children/${request.params.id}/family-portal/messages/${threadId}?done=sent`, 303);
  });

  async function renderThread(
    request: FastifyRequest<ThreadParams>,
    reply: FastifyReply,
    extra: { errors?: FormErrors; values?: Record<string, string> } = {},
  ) {
    const page = await staffThread(deps, actorOf(request), {
      childId: request.params.id,
      threadId: request.params.threadId,
      requestId: request.id,
      route: `${ROUTE}/messages/:threadId`,
    });
    return reply.view('pages/family-portal/thread.njk', {
      ...page,
      base: `/children/${page.child.id}/family-portal`,
      done: done(request),
      errors: extra.errors,
      values: extra.values ?? {},
    });
  }

  app.get<ThreadParams>(`${ROUTE}/messages/:threadId`, async (request, reply) =>
    renderThread(request, reply),
  );

  app.post<ThreadParams>(`${ROUTE}/messages/:threadId`, async (request, reply) => {
    const values = { body: field(request.body, 'body', 5_001) };
    try {
      await staffReply(deps, actorOf(request), {
        childId: request.params.id,
        threadId: request.params.threadId,
        ...values,
        requestId: request.id,
        route: `${ROUTE}/messages/:threadId`,
      });
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      reply.code(400);
      return renderThread(request, reply, { errors: formErrors(error.errors), values });
    }
    return reply.redirect(
      `/children/${request.params.id}/family-portal/messages/${request.params.threadId}?done=sent`,
      303,
    );
  });
}
