import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { applyFilters } from '../../src/modules/insight/filters.ts';
import { snapshotState } from '../../src/modules/insight/snapshot.ts';
import type { InsightContext, InsightView } from '../../src/modules/insight/types.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { insightRoutes } from '../../src/web/staff/insight/routes.ts';
import { staffGuard } from '../../src/web/staff/guard.ts';
import { expectGovukErrorPage, expectNoInternals, signedInAs } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { testApp } from '../support/web.ts';
import { makeWorld, testClock, testDeps, type TestUser } from '../support/world.ts';

/**
 * The insight pages: the list of views, a view's page with its filter form, charts beside their
 * tables and downloads, for analysts only. A small view written for the test (children by sex, from
 * the real base view `insight_children` through the real filters) gives known answers: the page,
 * the CSV and the PNG are suppressed alike.
 */

let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let world: Awaited<ReturnType<typeof makeWorld>>;
let analyst: TestUser;
let practitioner: TestUser;

const CHILDREN_BY_SEX: InsightView = {
  slug: 'children',
  title: 'Children by sex',
  question: 'How many children does the council know, by sex?',
  doc: 'README',
  filters: ['from', 'to', 'teamId', 'localityId', 'ageBand', 'sex'],
  async figures(ctx: InsightContext) {
    const { rows } = await sql<{ sex: string; n: number }>`
      SELECT c.sex, count(*)::int AS n FROM insight_children c
      WHERE ${applyFilters(ctx)} GROUP BY c.sex`.execute(ctx.db);
    const n = (sex: string) => rows.find((r) => r.sex === sex)?.n ?? 0;
    const total = n('F') + n('M');
    const row = (label: string, count: number) => ({
      sex: label,
      children: count,
      percent: total === 0 ? null : (100 * count) / total,
    });
    return [
      {
        id: 'by-sex',
        title: 'Children by sex',
        description: 'Children known to the council on the last day of the period, by sex.',
        columns: [
          { key: 'sex', label: 'Sex', kind: 'text' },
          { key: 'children', label: 'Children', kind: 'count' },
          { key: 'percent', label: 'Percentage', kind: 'percent', from: ['children'] },
        ],
        rows: [row('Female', n('F')), row('Male', n('M')), row('Total', total)],
        chart: { kind: 'bar', x: 'sex', y: ['children'] },
        notes: ['Counted from the test’s own children.'],
      },
    ];
  },
};

beforeAll(async () => {
  handle = await openTestDb();
  deps = testDeps(handle, { clock: testClock(new Date('2025-06-01T10:00:00Z')) });
  world = await makeWorld(deps);
  app = await testApp(deps, (root) => {
    void root.register(async (scope) => {
      scope.addHook('preHandler', staffGuard);
      await scope.register(insightRoutes, { deps, views: [CHILDREN_BY_SEX], base: '/test-insight' });
    });
  });
  analyst = await world.user({ roles: ['performance_analyst'] });
  practitioner = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  // Team A (North): 9 girls and 3 boys; team B (South): 6 boys.
  const add = async (teamId: string, sex: 'F' | 'M', count: number) => {
    for (let i = 0; i < count; i++) {
      const id = await world.child({ teamId, given: `Child${String(i)}`, family: `Sex${sex}` });
      await deps.db.updateTable('people').set({ sex }).where('id', '=', id).execute();
    }
  };
  await add(world.teamA, 'F', 9);
  await add(world.teamA, 'M', 3);
  await add(world.teamB, 'M', 6);
});

afterAll(async () => {
  await app.close();
  await handle.close();
});

/** The text of every cell of the page's table, row by row (header row first). */
function tableOf(html: string): string[][] {
  const table = /<table class="govuk-table app-insight-table"[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
  return [...table.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? '').matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) =>
      (cell[1] ?? '').replace(/<[^>]+>/g, '').trim(),
    ),
  );
}

describe('insight pages', () => {
  it('lists the views with their questions for an analyst, in the navigation too', async () => {
    const browser = await signedInAs(app, deps, analyst.id);
    const list = await browser.get('/insight');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('href="/insight"');
    expect(list.body).toContain('href="/insight/front-door"');
    expect(list.body).toContain('Who comes to the front door');
    const test = await browser.get('/test-insight');
    expect(test.body).toContain('How many children does the council know, by sex?');
  });

  it('shows a view: the filter form, the chart as an accessible SVG, its table, notes and downloads', async () => {
    const browser = await signedInAs(app, deps, analyst.id);
    const page = await browser.get('/test-insight/children');
    expect(page.statusCode).toBe(200);
    // The default period: the last 12 months up to today (1 June 2025).
    expect(page.body).toContain('Showing: From 2024-06-02 to 2025-06-01');
    expect(page.body).toMatch(/name="from-day"[^>]*value="2"/);
    expect(page.body).toContain('<form method="get" action="/test-insight/children"');
    // Only the filters the view honours are offered.
    expect(page.body).toContain('name="teamId"');
    expect(page.body).not.toContain('name="decile"');
    expect(page.body).toContain('<option value="' + world.teamA + '">Team A</option>');
    expect(page.body).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="chart-by-sex-title"/);
    expect(page.body).toContain('<title id="chart-by-sex-title">Children by sex</title>');
    const svg = /<svg[^>]*class="app-chart"[\s\S]*?<\/svg>/.exec(page.body)?.[0] ?? '';
    expect(svg).toContain('>18<');
    expect(svg).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
    expect(tableOf(page.body)).toEqual([
      ['Sex', 'Children', 'Percentage'],
      ['Female', '9', '50.0%'],
      ['Male', '9', '50.0%'],
      ['Total', '18', '100.0%'],
    ]);
    expect(page.body).toContain('Counted from the test’s own children.');
    expect(page.body).toContain(`href="/test-insight/children/by-sex.csv?from=2024-06-02&amp;to=2025-06-01"`);
    expect(page.body).toContain(`href="/test-insight/children/by-sex.png?from=2024-06-02&amp;to=2025-06-01"`);
    expectNoInternals(page.body);
  });

  it('filters, and suppresses small numbers and what would reveal them, on the page and in the CSV', async () => {
    const browser = await signedInAs(app, deps, analyst.id);
    const page = await browser.get(
      `/test-insight/children?teamId=${world.teamA}&from-day=1&from-month=4&from-year=2025&to-day=31&to-month=5&to-year=2025`,
    );
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Showing: From 2025-04-01 to 2025-05-31; Team: Team A');
    // 3 boys: fewer than 5; the 9 girls hidden too, or 12 − 9 would give the 3 away.
    expect(tableOf(page.body)).toEqual([
      ['Sex', 'Children', 'Percentage'],
      ['Female', 'hidden', 'hidden'],
      ['Male', 'fewer than 5', 'hidden'],
      ['Total', '12', '100.0%'],
    ]);
    expect(page.body).toContain('“Fewer than 5”');
    const query = `from=2025-04-01&to=2025-05-31&teamId=${world.teamA}`;
    expect(page.body).toContain(`href="/test-insight/children/by-sex.csv?${query.replace(/&/g, '&amp;')}"`);
    // The chart draws only the total: the hidden bars are absent, and its description says so.
    expect(page.body).toContain('Values that are hidden to protect privacy are left out of the chart.');

    const csv = await browser.get(`/test-insight/children/by-sex.csv?${query}`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toBe(
      'attachment; filename="children-by-sex-2025-04-01-to-2025-05-31.csv"',
    );
    expect(csv.body).toBe(
      'Sex,Children,Percentage\nFemale,hidden,hidden\nMale,fewer than 5,hidden\nTotal,12,100\n',
    );

    const png = await browser.app.inject({
      method: 'GET',
      url: `/test-insight/children/by-sex.png?${query}`,
      headers: { cookie: browser.cookieHeader() },
    });
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );

    // One audit entry per download: who, which figure, which filters.
    const audit = await deps.db
      .selectFrom('audit_log')
      .select(['action', 'entity_id', 'actor_user_id', 'detail'])
      .where('action', '=', 'insight.download')
      .execute();
    expect(audit).toHaveLength(2);
    expect(audit.map((a) => a.entity_id)).toEqual(['children/by-sex', 'children/by-sex']);
    expect(audit.every((a) => a.actor_user_id === analyst.id)).toBe(true);
    expect(JSON.stringify(audit[0]?.detail)).toContain(world.teamA);
  });

  it('shows a bad filter again with a clear error and the values as typed (400), never a 500', async () => {
    const browser = await signedInAs(app, deps, analyst.id);
    const page = await browser.get(
      '/test-insight/children?from-day=31&from-month=2&from-year=2025&teamId=not-a-team&sex=Q',
    );
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('govuk-error-summary');
    expect(page.body).toContain('<a href="#from-day">Date from must be a real date</a>');
    expect(page.body).toContain('<a href="#teamId">Choose a team from the list</a>');
    expect(page.body).toContain('<a href="#sex">Choose a sex from the list</a>');
    expect(page.body).toMatch(/name="from-day"[^>]*value="31"/);
    expect(page.body).toContain('<title>Error: Children by sex');
    expect(tableOf(page.body)).toEqual([]);
    expectNoInternals(page.body);
    const backwards = await browser.get('/test-insight/children?from=2025-05-01&to=2025-04-01');
    expect(backwards.statusCode).toBe(400);
    expect(backwards.body).toContain('Date to must be the same as or after date from');
    const csv = await browser.get('/test-insight/children/by-sex.csv?decile=99&teamId=nonsense');
    expectGovukErrorPage(csv, 400);
  });

  it('answers 404 for a practitioner, an unknown view or figure', async () => {
    const practitionerBrowser = await signedInAs(app, deps, practitioner.id);
    for (const url of [
      '/insight',
      '/insight/front-door',
      '/test-insight',
      '/test-insight/children',
      '/test-insight/children/by-sex.csv',
    ]) {
      expectGovukErrorPage(await practitionerBrowser.get(url), 404);
    }
    const home = await practitionerBrowser.get('/');
    expect(home.body).not.toContain('href="/insight"');
    const browser = await signedInAs(app, deps, analyst.id);
    expectGovukErrorPage(await browser.get('/test-insight/nothing-here'), 404);
    expectGovukErrorPage(await browser.get('/test-insight/children/nothing.csv'), 404);
    expectGovukErrorPage(await browser.get('/test-insight/children/by-sex.exe'), 404);
  });

  it('says when the figures were worked out; an analyst can have them worked out again (audited)', async () => {
    const browser = await signedInAs(app, deps, analyst.id);
    const before = await browser.get('/test-insight/children');
    expect(before.body).toContain('These figures were worked out from the records just now.');
    expect(before.body).toContain('<form method="post" action="/test-insight/refresh"');

    // A practitioner cannot ask (not found, nothing started).
    const other = await signedInAs(app, deps, practitioner.id);
    const refused = await other.post('/test-insight/refresh', { back: 'children' }, { tokenFrom: '/' });
    expect(refused.statusCode).toBe(404);
    expect((await snapshotState(deps.db)).refreshing).toBe(false);

    const asked = await browser.post(
      '/test-insight/refresh',
      { back: 'children' },
      { tokenFrom: '/test-insight/children' },
    );
    expect(asked.statusCode).toBe(303);
    expect(asked.headers.location).toBe('/test-insight/children');
    // The refresh runs after the reply; wait for it to finish.
    for (let i = 0; i < 600 && (await snapshotState(deps.db)).current === undefined; i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const state = await snapshotState(deps.db);
    expect(state.current?.set).toBe('snapshot_a');
    const after = await browser.get('/test-insight/children');
    expect(after.body).toMatch(
      /These figures were worked out from the records on \d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}:\d{2}[ap]m\./,
    );
    const audited = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM audit_log WHERE action = 'insight.refresh' AND actor_user_id = ${analyst.id}::uuid`.execute(
      deps.db,
    );
    expect(audited.rows[0]?.n).toBe(1);
  });
});
