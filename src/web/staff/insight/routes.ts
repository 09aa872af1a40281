import type { FastifyInstance } from 'fastify';
import {
  figureCsv,
  figurePng,
  listViews,
  requestRefresh,
  viewPage,
} from '../../../modules/insight/insight.service.ts';
import { SEX_LABELS, SEXES } from '../../../modules/insight/filters.ts';
import type { ViewPageModel } from '../../../modules/insight/insight.service.ts';
import {
  AGE_BANDS,
  ETHNIC_GROUPS,
  type InsightFilters,
  type InsightView,
} from '../../../modules/insight/types.ts';
import type { Deps } from '../../../platform/deps.ts';
import { NotFoundError } from '../../../platform/errors.ts';
import { formErrors } from '../../forms.ts';
import { actorOf } from '../guard.ts';

/** Where each filter error in the summary links to (a date error goes to its day box, as GOV.UK asks). */
const FIELD_IDS: Record<string, string> = { from: 'from-day', to: 'to-day' };

const SLUG = /^[a-z0-9-]{1,60}$/;
const FIGURE = /^([A-Za-z0-9_-]{1,80})\.(csv|png)$/;

/**
 * Insight: the list of views with the questions they answer, each view's page (a GET filter form,
 * then every figure as a chart beside its table, with CSV and PNG downloads carrying the same
 * filters), and the downloads. Everything is aggregate and suppressed; access is checked in the
 * service (performance analysts, senior leaders and service managers).
 */
export async function insightRoutes(
  app: FastifyInstance,
  options: { deps: Deps; views?: readonly InsightView[]; base?: string },
): Promise<void> {
  const { deps } = options;
  const base = options.base ?? '/insight';
  const views = options.views;
  const viewOptions = { base, ...(views ? { views } : {}) };

  app.get(base, async (request, reply) => {
    const list = listViews(actorOf(request), ...(views ? [views] : []));
    return reply.view('pages/insight/index.njk', { views: list, base });
  });

  app.get<{ Params: { slug: string } }>(`${base}/:slug`, async (request, reply) => {
    const { slug } = request.params;
    if (!SLUG.test(slug)) throw new NotFoundError();
    const page = await viewPage(deps, actorOf(request), slug, request.query, viewOptions);
    if (page.errors) reply.code(400);
    return reply.view('pages/insight/view.njk', {
      page,
      base,
      dates: page.honoured.has('from') || page.honoured.has('to'),
      selects: selectsFor(page),
      errors: page.errors ? formErrors(page.errors, FIELD_IDS) : undefined,
    });
  });

  // Work the figures out again now (ADR 11): the refresh runs after the reply; the page says so.
  app.post<{ Body: { back?: unknown } }>(`${base}/refresh`, async (request, reply) => {
    const back =
      typeof request.body.back === 'string' && SLUG.test(request.body.back) ? request.body.back : '';
    await requestRefresh(deps, actorOf(request), {
      requestId: request.id,
      onDone: (outcome) => {
        request.log.info({ outcome }, 'insight figures refreshed');
      },
    });
    return reply.redirect(back === '' ? base : `${base}/${back}`, 303);
  });

  app.get<{ Params: { slug: string; file: string } }>(`${base}/:slug/:file`, async (request, reply) => {
    const { slug, file } = request.params;
    const match = FIGURE.exec(file);
    if (!SLUG.test(slug) || !match) throw new NotFoundError();
    const [, figureId = '', ext] = match;
    const actor = actorOf(request);
    const downloadOptions = { requestId: request.id, ...(views ? { views } : {}) };
    if (ext === 'csv') {
      const csv = await figureCsv(deps, actor, slug, figureId, request.query, downloadOptions);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${csv.name}"`)
        .send(csv.text);
    }
    const png = await figurePng(deps, actor, slug, figureId, request.query, downloadOptions);
    return reply
      .header('content-type', 'image/png')
      .header('content-disposition', `attachment; filename="${png.name}"`)
      .send(png.bytes);
  });
}

type Select = {
  readonly id: keyof InsightFilters;
  readonly label: string;
  readonly items: readonly { value: string; text: string; selected: boolean }[];
};

/** The filter drop-downs the view honours, "All" first, the chosen value selected. */
function selectsFor(page: ViewPageModel): Select[] {
  const choices: {
    id: keyof InsightFilters;
    label: string;
    options: readonly { value: string; text: string }[];
  }[] = [
    { id: 'localityId', label: 'Locality', options: page.localities },
    { id: 'teamId', label: 'Team', options: page.teams },
    {
      id: 'ageBand',
      label: 'Age',
      options: AGE_BANDS.map((b) => ({
        value: b,
        text: b === '18+' ? '18 and over' : b.replace('-', ' to '),
      })),
    },
    { id: 'sex', label: 'Sex', options: SEXES.map((s) => ({ value: s, text: SEX_LABELS[s] })) },
    {
      id: 'ethnicGroup',
      label: 'Ethnic group',
      options: ETHNIC_GROUPS.map((g) => ({ value: g, text: g === 'Unknown' ? 'Not known' : g })),
    },
    {
      id: 'disability',
      label: 'Disabled',
      options: [
        { value: 'yes', text: 'Yes' },
        { value: 'no', text: 'No' },
      ],
    },
    {
      id: 'decile',
      label: 'Deprivation decile',
      options: Array.from({ length: 10 }, (_, i) => ({
        value: String(i + 1),
        text: i === 0 ? '1 (most deprived)' : i === 9 ? '10 (least deprived)' : String(i + 1),
      })),
    },
  ];
  return choices
    .filter((c) => page.honoured.has(c.id))
    .map((c) => {
      const chosen = page.values[c.id] ?? '';
      return {
        id: c.id,
        label: c.label,
        items: [
          { value: '', text: 'All', selected: chosen === '' },
          ...c.options.map((o) => ({ ...o, selected: o.value === chosen })),
        ],
      };
    });
}
