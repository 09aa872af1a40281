import type { FastifyInstance, FastifyRequest } from 'fastify';
import { can } from '../../../modules/access/actor.ts';
import {
  RECORDS_REQUEST_CHANNELS,
  accountsForChild,
  addRedaction,
  approveBundle,
  assembleBundle,
  childForNewRequest,
  childrenForNewRequest,
  listRecordsRequests,
  logRecordsRequest,
  removeRedaction,
  returnBundle,
  submitBundle,
  viewRecordsRequest,
} from '../../../modules/portal/records-requests/service.ts';
import { REDACTION_REASONS } from '../../../modules/portal/records-requests/render.ts';
import type { Deps } from '../../../platform/deps.ts';
import { ForbiddenError, InvalidInputError } from '../../../platform/errors.ts';
import { field, formErrors } from '../../forms.ts';
import { actorOf } from '../guard.ts';

type IdParams = { Params: { id: string } };

/** Reads a GOV.UK date input as an ISO date; '' when empty, 'invalid' when not a date. */
function dateField(body: unknown, name: string): { day: string; month: string; year: string; iso: string } {
  const day = field(body, `${name}-day`, 2).trim();
  const month = field(body, `${name}-month`, 2).trim();
  const year = field(body, `${name}-year`, 4).trim();
  if (!day && !month && !year) return { day, month, year, iso: '' };
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) {
    return { day, month, year, iso: 'invalid' };
  }
  return { day, month, year, iso: `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}` };
}

const CHANNEL_CHOICES = Object.entries(RECORDS_REQUEST_CHANNELS).filter(([value]) => value !== 'portal');
const REASON_CHOICES = Object.entries(REDACTION_REASONS);

/** Staff: requests for records, preparing the bundle with reasoned redactions, two-person release. */
export async function staffRecordsRequestRoutes(
  app: FastifyInstance,
  options: { deps: Deps },
): Promise<void> {
  const { deps } = options;
  const route = '/records-requests/:id';

  app.get<{ Querystring: { all?: string } }>('/records-requests', async (request, reply) => {
    const actor = actorOf(request);
    const all = request.query.all === '1';
    const requests = await listRecordsRequests(deps, actor, { includeReleased: all });
    return reply.view('pages/records-requests/list.njk', { requests, all });
  });

  async function newPage(
    request: FastifyRequest<{ Querystring: { childId?: string; name?: string } }>,
    extra: Record<string, unknown> = {},
  ) {
    const actor = actorOf(request);
    if (!can(actor, 'records_request', 'prepare')) throw new ForbiddenError();
    const childId = typeof request.query.childId === 'string' ? request.query.childId : '';
    const name = typeof request.query.name === 'string' ? request.query.name.slice(0, 100) : '';
    if (!childId) {
      const matches = name ? await childrenForNewRequest(deps, actor, name) : [];
      return { choosing: true, name, matches, ...extra };
    }
    const child = await childForNewRequest(deps, actor, childId);
    const accounts = await accountsForChild(deps, actor, child.id);
    const values = (extra['values'] as Record<string, unknown> | undefined) ?? {};
    return {
      choosing: false,
      child,
      channels: CHANNEL_CHOICES.map(([value, text]) => ({
        value,
        text,
        checked: values['channel'] === value,
      })),
      accounts: [
        {
          value: '',
          text: 'No portal account: we will send it another way',
          checked: !values['familyAccountId'],
        },
        ...accounts.map((a) => ({
          value: a.id,
          text: `${a.name} (${a.kind.replace('_', ' ')})`,
          checked: values['familyAccountId'] === a.id,
        })),
      ],
      values,
      ...extra,
    };
  }

  app.get<{ Querystring: { childId?: string; name?: string } }>(
    '/records-requests/new',
    async (request, reply) => reply.view('pages/records-requests/new.njk', await newPage(request)),
  );

  app.post<{ Querystring: { childId?: string } }>('/records-requests/new', async (request, reply) => {
    const childId = typeof request.query.childId === 'string' ? request.query.childId : '';
    const received = dateField(request.body, 'receivedOn');
    const from = dateField(request.body, 'dateFrom');
    const to = dateField(request.body, 'dateTo');
    const values = {
      channel: field(request.body, 'channel', 20),
      requesterDescription: field(request.body, 'requesterDescription', 300),
      whatWanted: field(request.body, 'whatWanted', 5000),
      familyAccountId: field(request.body, 'familyAccountId', 40),
      receivedOn: received,
      dateFrom: from,
      dateTo: to,
    };
    try {
      const id = await logRecordsRequest(deps, actorOf(request), {
        childId,
        channel: values.channel,
        requesterDescription: values.requesterDescription,
        whatWanted: values.whatWanted,
        familyAccountId: values.familyAccountId,
        receivedOn: received.iso,
        dateFrom: from.iso,
        dateTo: to.iso,
        requestId: request.id,
      });
      return await reply.redirect(`/records-requests/${id}`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      reply.code(400);
      return reply.view(
        'pages/records-requests/new.njk',
        await newPage(request, {
          values,
          errors: formErrors(error.errors, {
            channel: 'channel',
            receivedOn: 'receivedOn-day',
            dateFrom: 'dateFrom-day',
            dateTo: 'dateTo-day',
            familyAccountId: 'familyAccountId',
          }),
        }),
      );
    }
  });

  async function requestPage(request: FastifyRequest<IdParams>, extra: Record<string, unknown> = {}) {
    const actor = actorOf(request);
    const view = await viewRecordsRequest(deps, actor, request.params.id, { route, requestId: request.id });
    return {
      request: view,
      reasons: REASON_CHOICES.map(([value, text]) => ({ value, text })),
      ...extra,
    };
  }

  app.get<IdParams>(route, async (request, reply) =>
    reply.view('pages/records-requests/request.njk', await requestPage(request)),
  );

  async function act(
    request: FastifyRequest<IdParams>,
    reply: import('fastify').FastifyReply,
    run: () => Promise<unknown>,
    fieldIds: Record<string, string> = {},
  ) {
    try {
      await run();
      return await reply.redirect(`/records-requests/${request.params.id}`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      reply.code(400);
      return reply.view(
        'pages/records-requests/request.njk',
        await requestPage(request, {
          errors: formErrors(error.errors, fieldIds),
          values: request.body ?? {},
        }),
      );
    }
  }

  app.post<IdParams>(`${route}/assemble`, async (request, reply) =>
    act(request, reply, () => assembleBundle(deps, actorOf(request), request.params.id, request.id)),
  );

  app.post<IdParams>(`${route}/redactions`, async (request, reply) => {
    const itemId = field(request.body, 'itemId', 40);
    return act(
      request,
      reply,
      () =>
        addRedaction(deps, actorOf(request), request.params.id, {
          itemId,
          scope: field(request.body, 'scope', 10),
          passage: field(request.body, 'passage', 5000),
          reason: field(request.body, 'reason', 20),
          reasonText: field(request.body, 'reasonText', 500),
          requestId: request.id,
        }),
      {
        scope: `scope-${itemId}`,
        passage: `passage-${itemId}`,
        reason: `reason-${itemId}`,
        reasonText: `reasonText-${itemId}`,
      },
    );
  });

  app.post<{ Params: { id: string; redactionId: string } }>(
    `${route}/redactions/:redactionId/remove`,
    async (request, reply) => {
      await removeRedaction(
        deps,
        actorOf(request),
        request.params.id,
        request.params.redactionId,
        request.id,
      );
      return reply.redirect(`/records-requests/${request.params.id}`, 303);
    },
  );

  app.post<IdParams>(`${route}/submit`, async (request, reply) =>
    act(request, reply, () => submitBundle(deps, actorOf(request), request.params.id, request.id)),
  );

  app.post<IdParams>(`${route}/approve`, async (request, reply) =>
    act(request, reply, () => approveBundle(deps, actorOf(request), request.params.id, request.id)),
  );

  app.post<IdParams>(`${route}/return`, async (request, reply) =>
    act(request, reply, () =>
      returnBundle(deps, actorOf(request), request.params.id, {
        note: field(request.body, 'note', 2000),
        requestId: request.id,
      }),
    ),
  );
}
