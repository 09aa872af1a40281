/**
 * Insight pages: who may see them, the filters read from the page's form, each view's figures with
 * small numbers suppressed, drawn as charts beside their tables, and the same figures (suppressed
 * exactly as on the page) as CSV and PNG downloads.
 *
 * Insight is aggregate: no child is shown, so viewing is not audited per child; each download is
 * audited (who, which view and figure, which filters: never personal data).
 */
import { stringify } from 'csv-stringify/sync';
import { can, type Actor } from '../access/actor.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { londonDate } from '../../platform/clock.ts';
import type { Deps } from '../../platform/deps.ts';
import { InvalidInputError, NotFoundError, type FieldError } from '../../platform/errors.ts';
import { chartPng, chartSvg, formatValue } from './charts.ts';
import { describeFilters, filtersQuery, parseFilters, type FilterValues } from './filters.ts';
import { refreshInsightSnapshots, snapshotState, type InsightSource } from './snapshot.ts';
import { SUPPRESSION_TEXT, suppressFigure, suppressionNotes, type SuppressedFigure } from './suppress.ts';
import type { Column, InsightFilters, InsightView } from './types.ts';
import { INSIGHT_VIEWS } from './views.ts';

export function canReadInsight(actor: Actor): boolean {
  return can(actor, 'insight', 'read');
}

function allowed(actor: Actor): void {
  if (!canReadInsight(actor)) throw new NotFoundError();
}

export type ViewSummary = { readonly slug: string; readonly title: string; readonly question: string };

/** The views, in order, with the question each answers. */
export function listViews(actor: Actor, views: readonly InsightView[] = INSIGHT_VIEWS): ViewSummary[] {
  allowed(actor);
  return views.map((v) => ({ slug: v.slug, title: v.title, question: v.question }));
}

function findView(views: readonly InsightView[], slug: string): InsightView {
  const view = views.find((v) => v.slug === slug);
  if (!view) throw new NotFoundError();
  return view;
}

type TableCell = { readonly text: string; readonly format?: 'numeric'; readonly classes?: string };

/** One figure as the page shows it. */
export type FigureModel = {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly head: readonly TableCell[];
  readonly rows: readonly (readonly TableCell[])[];
  readonly svg: string | undefined;
  readonly notes: readonly string[];
  readonly csvHref: string;
  readonly pngHref: string | undefined;
};

export type Choice = { readonly value: string; readonly text: string };

export type ViewPageModel = {
  readonly view: {
    readonly slug: string;
    readonly title: string;
    readonly question: string;
    readonly doc: string;
  };
  /** The filters the view honours (the form offers only these). */
  readonly honoured: ReadonlySet<keyof InsightFilters>;
  readonly values: FilterValues;
  readonly errors: readonly FieldError[] | undefined;
  /** The filters in words (when they were valid). */
  readonly described: readonly string[];
  readonly figures: readonly FigureModel[];
  readonly teams: readonly Choice[];
  readonly localities: readonly Choice[];
  /** Where the figures came from: the last refresh's snapshot (when it was taken) or the records now. */
  readonly figuresAsAt: FiguresAsAt;
};

/** When the figures were worked out (ADR 11), for the page to say. */
export type FiguresAsAt = {
  readonly source: InsightSource;
  /** The snapshot's time (only for `snapshot`). */
  readonly takenAt: Date | undefined;
  /** A refresh is running now: the figures will change when it finishes. */
  readonly refreshing: boolean;
};

/** The snapshot when a refresh has finished, the plain views before any has. */
async function figuresSource(deps: Deps): Promise<FiguresAsAt> {
  const state = await snapshotState(deps.db);
  return state.current === undefined
    ? { source: 'live', takenAt: undefined, refreshing: state.refreshing }
    : { source: state.current.set, takenAt: state.current.takenAt, refreshing: state.refreshing };
}

const isNumeric = (column: Column) => column.kind !== 'text';

function cellText(figure: SuppressedFigure, column: Column, rowIndex: number): string {
  const why = figure.hidden[rowIndex]?.[column.key];
  if (why) return SUPPRESSION_TEXT[why];
  return formatValue(column, figure.rows[rowIndex]?.[column.key] ?? null);
}

async function names(deps: Deps, organisationId: string) {
  const [teams, localities] = await Promise.all([
    deps.db
      .selectFrom('teams')
      .select(['id', 'name'])
      .where('organisation_id', '=', organisationId)
      .orderBy('name')
      .execute(),
    deps.db
      .selectFrom('localities')
      .select(['id', 'name'])
      .where('organisation_id', '=', organisationId)
      .orderBy('name')
      .execute(),
  ]);
  return {
    teams: teams.map((t) => ({ value: t.id, text: t.name })),
    localities: localities.map((l) => ({ value: l.id, text: l.name })),
  };
}

async function runFigures(
  deps: Deps,
  actor: Actor,
  view: InsightView,
  filters: InsightFilters,
  source: InsightSource,
): Promise<SuppressedFigure[]> {
  const figures = await view.figures({
    db: deps.db,
    organisationId: actor.organisationId,
    filters,
    today: londonDate(deps.clock.now()),
    source,
  });
  return figures.map(suppressFigure);
}

/** The page for one view: its filter form and, when the filters are valid, its figures. */
export async function viewPage(
  deps: Deps,
  actor: Actor,
  slug: string,
  query: unknown,
  options: { readonly views?: readonly InsightView[]; readonly base?: string } = {},
): Promise<ViewPageModel> {
  allowed(actor);
  const view = findView(options.views ?? INSIGHT_VIEWS, slug);
  const base = options.base ?? '/insight';
  const today = londonDate(deps.clock.now());
  const parsed = parseFilters(query, { today, honoured: view.filters });
  const [lists, figuresAsAt] = await Promise.all([names(deps, actor.organisationId), figuresSource(deps)]);
  const common = {
    figuresAsAt,
    view: { slug: view.slug, title: view.title, question: view.question, doc: view.doc },
    honoured: new Set(view.filters),
    values: parsed.values,
    ...lists,
  };
  if (!parsed.ok) return { ...common, errors: parsed.errors, described: [], figures: [] };

  const filters = parsed.filters;
  const figures = await runFigures(deps, actor, view, filters, figuresAsAt.source);
  const query_ = filtersQuery(filters);
  const models: FigureModel[] = [];
  for (const figure of figures) {
    const svg = await chartSvg(figure, { idPrefix: figure.id });
    const href = (ext: string) => `${base}/${view.slug}/${encodeURIComponent(figure.id)}.${ext}?${query_}`;
    models.push({
      id: figure.id,
      title: figure.title,
      description: figure.description,
      head: figure.columns.map((c) =>
        isNumeric(c) ? { text: c.label, format: 'numeric' as const } : { text: c.label },
      ),
      rows: figure.rows.map((_, r) =>
        figure.columns.map((c) => {
          const text = cellText(figure, c, r);
          return isNumeric(c) ? { text, format: 'numeric' as const } : { text };
        }),
      ),
      svg,
      notes: [...(figure.notes ?? []), ...suppressionNotes(figure)],
      csvHref: href('csv'),
      pngHref: svg === undefined ? undefined : href('png'),
    });
  }
  return {
    ...common,
    errors: undefined,
    described: describeFilters(filters, {
      teams: new Map(lists.teams.map((t) => [t.value, t.text])),
      localities: new Map(lists.localities.map((l) => [l.value, l.text])),
    }),
    figures: models,
  };
}

type Download = {
  readonly view: InsightView;
  readonly figure: SuppressedFigure;
  readonly filters: InsightFilters;
};

async function downloadFigure(
  deps: Deps,
  actor: Actor,
  slug: string,
  figureId: string,
  query: unknown,
  views: readonly InsightView[],
): Promise<Download> {
  allowed(actor);
  const view = findView(views, slug);
  const parsed = parseFilters(query, { today: londonDate(deps.clock.now()), honoured: view.filters });
  if (!parsed.ok) throw new InvalidInputError(parsed.errors);
  const { source } = await figuresSource(deps);
  const figures = await runFigures(deps, actor, view, parsed.filters, source);
  const figure = figures.find((f) => f.id === figureId);
  if (!figure) throw new NotFoundError();
  return { view, figure, filters: parsed.filters };
}

function fileName(download: Download, ext: string): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9-]+/g, '-').slice(0, 60);
  return `${safe(download.view.slug)}-${safe(download.figure.id)}-${download.filters.from}-to-${download.filters.to}.${ext}`;
}

async function auditDownload(
  deps: Deps,
  actor: Actor,
  download: Download,
  format: 'csv' | 'png',
  requestId: string | undefined,
): Promise<void> {
  await recordAudit(deps.db, {
    actorUserId: actor.userId,
    action: 'insight.download',
    entityType: 'insight_figure',
    entityId: `${download.view.slug}/${download.figure.id}`,
    detail: { format, filters: { ...download.filters } },
    requestId: requestId ?? null,
  });
}

/** A value for the CSV: numbers unformatted (rounded to 2 places), hidden ones in words. */
function csvValue(figure: SuppressedFigure, column: Column, rowIndex: number): string | number {
  const why = figure.hidden[rowIndex]?.[column.key];
  if (why) return SUPPRESSION_TEXT[why];
  const value = figure.rows[rowIndex]?.[column.key] ?? null;
  if (value === null) return '';
  if (typeof value === 'number') return column.kind === 'count' ? value : Math.round(value * 100) / 100;
  // A spreadsheet must not read a name as a formula.
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** The figure's table as CSV, suppressed as on the page. */
export async function figureCsv(
  deps: Deps,
  actor: Actor,
  slug: string,
  figureId: string,
  query: unknown,
  options: { readonly views?: readonly InsightView[]; readonly requestId?: string } = {},
): Promise<{ readonly name: string; readonly text: string }> {
  const download = await downloadFigure(deps, actor, slug, figureId, query, options.views ?? INSIGHT_VIEWS);
  const { figure } = download;
  const text = stringify([
    figure.columns.map((c) => c.label),
    ...figure.rows.map((_, r) => figure.columns.map((c) => csvValue(figure, c, r))),
  ]);
  await auditDownload(deps, actor, download, 'csv', options.requestId);
  return { name: fileName(download, 'csv'), text };
}

/** The figure's chart as PNG (with its title, description and notes drawn in). */
export async function figurePng(
  deps: Deps,
  actor: Actor,
  slug: string,
  figureId: string,
  query: unknown,
  options: { readonly views?: readonly InsightView[]; readonly requestId?: string } = {},
): Promise<{ readonly name: string; readonly bytes: Buffer }> {
  const download = await downloadFigure(deps, actor, slug, figureId, query, options.views ?? INSIGHT_VIEWS);
  const bytes = await chartPng(download.figure, download.figure.id);
  if (!bytes) throw new NotFoundError();
  await auditDownload(deps, actor, download, 'png', options.requestId);
  return { name: fileName(download, 'png'), bytes };
}

/**
 * Asks for the figures to be worked out again now (an analyst's button): the refresh runs after the
 * reply, and the pages say so meanwhile. Audited. `busy` when one is already running.
 */
export async function requestRefresh(
  deps: Deps,
  actor: Actor,
  options: { readonly requestId?: string; readonly onDone?: (outcome: string) => void } = {},
): Promise<'started' | 'busy'> {
  allowed(actor);
  const state = await snapshotState(deps.db);
  if (state.refreshing) return 'busy';
  await recordAudit(deps.db, {
    actorUserId: actor.userId,
    action: 'insight.refresh',
    entityType: 'insight_snapshot',
    entityId: 'all',
    detail: {},
    requestId: options.requestId ?? null,
  });
  void refreshInsightSnapshots(deps.db, { trigger: 'analyst' }).then(
    (result) => options.onDone?.(result.status),
    () => options.onDone?.('failed'),
  );
  return 'started';
}
