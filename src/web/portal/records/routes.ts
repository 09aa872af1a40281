import type { FastifyInstance } from 'fastify';
import { familyCanSee } from '../../../modules/portal/family-actor.ts';
import { portalChild } from '../../../modules/portal/home.ts';
import {
  askForRecords,
  familyBundleDownload,
  familyRecordsRequest,
  familyRecordsRequests,
} from '../../../modules/portal/records-requests/service.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError, NotFoundError } from '../../../platform/errors.ts';
import { field, formErrors } from '../../forms.ts';
import { familyActorOf } from '../guard.ts';

type ChildParams = { Params: { childId: string } };
type RequestParams = { Params: { childId: string; requestId: string } };

/** Reads a GOV.UK date input (day, month, year) as an ISO date; '' when left empty, 'invalid' when not a date. */
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

/** Portal: asking for records (subject access) and downloading a released bundle. */
export async function portalRecordsRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  async function childFor(request: import('fastify').FastifyRequest<ChildParams>) {
    const actor = familyActorOf(request);
    const child = await portalChild(deps, actor, request.params.childId);
    if (!child || !familyCanSee(actor, child.id, 'records')) throw new NotFoundError();
    return { actor, child };
  }

  app.get<ChildParams>('/children/:childId/records', async (request, reply) => {
    const { actor, child } = await childFor(request);
    const requests = (await familyRecordsRequests(deps, actor)).filter((r) => r.childId === child.id);
    return reply.portalView('portal/records/list.njk', { child, requests });
  });

  async function askPage(
    request: import('fastify').FastifyRequest<ChildParams>,
    extra: Record<string, unknown> = {},
  ) {
    const { child } = await childFor(request);
    return { child, values: {}, ...extra };
  }

  app.get<ChildParams>('/children/:childId/records/ask', async (request, reply) =>
    reply.portalView('portal/records/ask.njk', await askPage(request)),
  );

  app.post<ChildParams>('/children/:childId/records/ask', async (request, reply) => {
    const { actor, child } = await childFor(request);
    const from = dateField(request.body, 'dateFrom');
    const to = dateField(request.body, 'dateTo');
    const values = { whatWanted: field(request.body, 'whatWanted', 5001), dateFrom: from, dateTo: to };
    try {
      const id = await askForRecords(deps, actor, {
        childId: child.id,
        whatWanted: values.whatWanted,
        dateFrom: from.iso,
        dateTo: to.iso,
        requestId: request.id,
      });
      return await reply.redirect(`/family/children/${child.id}/records/${id}`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      reply.code(400);
      return reply.portalView(
        'portal/records/ask.njk',
        await askPage(request, {
          values,
          errors: formErrors(error.errors, { dateFrom: 'dateFrom-day', dateTo: 'dateTo-day' }),
        }),
      );
    }
  });

  app.get<RequestParams>('/children/:childId/records/:requestId', async (request, reply) => {
    const { actor, child } = await childFor(request);
    const view = await familyRecordsRequest(deps, actor, request.params.requestId, {
      route: '/family/children/:childId/records/:requestId',
      requestId: request.id,
    });
    if (view.childId !== child.id) throw new NotFoundError();
    return reply.portalView('portal/records/request.njk', { child, request: view });
  });

  for (const [suffix, format] of [
    ['download.html', 'html'],
    ['download.txt', 'text'],
  ] as const) {
    app.get<RequestParams>(`/children/:childId/records/:requestId/${suffix}`, async (request, reply) => {
      const { actor, child } = await childFor(request);
      // Checked before the download is audited: the request must belong to this child.
      const summary = (await familyRecordsRequests(deps, actor)).find(
        (r) => r.id === request.params.requestId && r.childId === child.id,
      );
      if (!summary) throw new NotFoundError();
      const file = await familyBundleDownload(deps, actor, summary.id, format, {
        route: `/family/children/:childId/records/:requestId/${suffix}`,
        requestId: request.id,
      });
      return reply
        .type(file.contentType)
        .header('Content-Disposition', `attachment; filename="${file.filename}"`)
        .header('Cache-Control', 'no-store')
        .send(file.body);
    });
  }
}
