import type { FastifyInstance } from 'fastify';
import type { Insertable } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import type { Database } from '../../src/db/database.ts';
import { openOrContinueEpisode } from '../../src/modules/help/episodes.ts';
import { suppressFigure } from '../../src/modules/insight/suppress.ts';
import { practicalHelpFigures } from '../../src/modules/protection/family-network-report.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { appWithRouteTable, expectGovukErrorPage } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { loadTestGeography, TEST_POSTCODES } from '../support/geography.ts';
import { makeWorld, testClock, testDeps, type TestClock, type TestUser } from '../support/world.ts';
import { dateFields, staffPages, versionOf } from '../support/staff-pages.ts';

/**
 * Practical and financial help as requests with a decision, through the pages: a section 17 payment
 * asked for, decided by a manager (refused only with a reason), paid, with the days to payment; a
 * welfare-rights referral with the income gained a year; help recorded before (status "given")
 * still valid. Then the report by locality and deprivation decile from rows inserted here.
 */

let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makeWorld>>;
let worker: TestUser;
let manager: TestUser;

beforeAll(async () => {
  handle = await openTestDb();
  await loadTestGeography(handle);
  clock = testClock(new Date('2026-12-01T10:00:00Z'));
  deps = testDeps(handle, { clock });
  world = await makeWorld(deps);
  ({ app } = await appWithRouteTable(deps));
  worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  manager = await world.user({ roles: ['team_manager'], teamIds: [world.teamA] });
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

const pages = staffPages(() => ({ app, deps }));
const { get, send } = pages;

type PracticalHelpRow = Database['practical_help'];

async function openHelp(organisationId: string, childId: string): Promise<string> {
  const opened = await deps.db.transaction().execute((trx) =>
    openOrContinueEpisode(trx, {
      organisationId,
      personId: childId,
      status: 'family_help',
      on: '2026-09-01',
      reason: 'Front door decision: family help',
      actorUserId: null,
      referral: { source: '6', primaryNeed: 'N1' },
    }),
  );
  return opened.episodeId;
}

function helpIdFrom(location: unknown): string {
  const match = /\/practical-help\/([0-9a-f-]{36})$/.exec(String(location));
  if (!match?.[1]) throw new Error(`Unexpected redirect ${String(location)}`);
  return match[1];
}

describe('practical and financial help asked for and decided', () => {
  it('a section 17 payment: asked for, refused only with a reason, granted and paid, days counted', async () => {
    const childId = await world.child({ teamId: world.teamA, workerId: worker.id, given: 'Amara' });
    await openHelp(world.organisationId, childId);
    const base = `/children/${childId}/practical-help`;

    const list = await get(worker, base);
    expect(list.body).toContain('Record a request for help or a welfare-rights referral');
    const bad = await send(worker, `${base}/requests`, {
      ...dateFields('requestedOn', '2026-11-02'),
      category: '',
      requestKind: 'cash',
      requestAmount: '£50.505',
      requestDescription: 'Emergency money for food until payday',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('href="#category"');
    expect(bad.body, /govuk-error-summary[\s\S]*?<\/ul>/.exec(bad.body)?.[0]).toContain(
      'href="#requestAmount"',
    );
    expect(bad.body).toContain('Emergency money for food until payday');

    const asked = await send(worker, `${base}/requests`, {
      ...dateFields('requestedOn', '2026-11-02'),
      category: 'section17',
      requestKind: 'cash',
      requestAmount: '£50',
      requestDescription: 'Emergency money for food until payday',
    });
    expect(asked.statusCode).toBe(303);
    const refusedId = helpIdFrom(asked.headers.location);

    // The worker sees it waiting for a manager; the worker may not decide it.
    const waiting = await get(worker, `${base}/${refusedId}`);
    expect(waiting.body).toContain('Waiting for a manager’s decision');
    expect(waiting.body).not.toContain('name="decision"');
    expect(
      (
        await send(worker, `${base}/${refusedId}`, {
          version: '1',
          decision: 'granted',
          ...dateFields('decidedOn', '2026-11-03'),
        })
      ).statusCode,
    ).toBe(403);

    // The manager: a refusal needs a reason.
    const form = await get(manager, `${base}/${refusedId}`);
    expect(form.body).toContain('name="decision"');
    const noReason = await send(manager, `${base}/${refusedId}`, {
      version: versionOf(form.body),
      decision: 'refused',
      ...dateFields('decidedOn', '2026-11-03'),
      refusalReason: '  ',
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('href="#refusalReason"');
    expect(noReason.body).toContain('Enter why the help was refused');
    const refused = await send(manager, `${base}/${refusedId}`, {
      version: versionOf(form.body),
      decision: 'refused',
      ...dateFields('decidedOn', '2026-11-03'),
      refusalReason: 'The household support fund paid for food this week.',
    });
    expect(refused.statusCode).toBe(303);
    // The database keeps the rule too.
    await expect(
      deps.db
        .updateTable('practical_help')
        .set({ refusal_reason: null })
        .where('id', '=', refusedId)
        .execute(),
    ).rejects.toThrow();

    // Granted on the 3rd, paid on the 6th: four days from the request on the 2nd.
    const second = await send(worker, `${base}/requests`, {
      ...dateFields('requestedOn', '2026-11-02'),
      category: 'section17',
      requestKind: 'fuel',
      requestAmount: '£49',
      requestDescription: 'Top-up for the prepayment meter',
    });
    const grantedId = helpIdFrom(second.headers.location);
    let page = await get(manager, `${base}/${grantedId}`);
    expect(
      (
        await send(manager, `${base}/${grantedId}`, {
          version: versionOf(page.body),
          decision: 'granted',
          ...dateFields('decidedOn', '2026-11-03'),
          refusalReason: '',
        })
      ).statusCode,
    ).toBe(303);
    page = await get(worker, `${base}/${grantedId}`);
    const early = await send(worker, `${base}/${grantedId}`, {
      version: versionOf(page.body),
      ...dateFields('givenOn', '2026-11-01'),
    });
    expect(early.statusCode).toBe(400);
    expect(early.body).toContain('must be on or after the date of the decision');
    expect(
      (
        await send(worker, `${base}/${grantedId}`, {
          version: versionOf(page.body),
          ...dateFields('givenOn', '2026-11-06'),
        })
      ).statusCode,
    ).toBe(303);
    // A stale form is refused.
    expect(
      (await send(worker, `${base}/${grantedId}`, { version: '2', ...dateFields('givenOn', '2026-11-06') }))
        .statusCode,
    ).toBe(409);

    const rows = await deps.db
      .selectFrom('practical_help')
      .select(['id', 'status', 'decided_by', 'refusal_reason', 'requested_on', 'given_on', 'amount_pence'])
      .where('person_id', '=', childId)
      .execute();
    expect(rows.find((r) => r.id === refusedId)).toMatchObject({
      status: 'refused',
      decided_by: manager.id,
      given_on: null,
      amount_pence: 5000,
    });
    expect(rows.find((r) => r.id === grantedId)).toMatchObject({
      status: 'given',
      requested_on: '2026-11-02',
      given_on: '2026-11-06',
      amount_pence: 4900,
    });
    const shown = await get(worker, base);
    expect(shown.body).toContain('4 days after it was asked for');
    expect(shown.body).toContain('Refused');
    const audits = await deps.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', 'in', [refusedId, grantedId])
      .where('action', 'like', 'practical_help.%')
      .orderBy('seq')
      .execute();
    expect(audits.map((a) => a.action)).toEqual([
      'practical_help.request',
      'practical_help.decision',
      'practical_help.request',
      'practical_help.decision',
      'practical_help.payment',
    ]);
  });

  it('a welfare-rights referral with the income gained a year; help recorded before stays valid', async () => {
    const childId = await world.child({ teamId: world.teamA, workerId: worker.id, given: 'Leo' });
    const episodeId = await openHelp(world.organisationId, childId);
    const base = `/children/${childId}/practical-help`;
    const referred = await send(worker, `${base}/requests`, {
      ...dateFields('requestedOn', '2026-10-01'),
      category: 'welfare_rights',
      requestKind: 'benefits_advice',
      requestAmount: '',
      requestDescription: 'Benefits check with Citizens Advice',
    });
    const id = helpIdFrom(referred.headers.location);
    const page = await get(worker, `${base}/${id}`);
    expect(page.body).toContain('Record the outcome of the referral');
    const noIncome = await send(worker, `${base}/${id}`, {
      version: versionOf(page.body),
      outcome: 'income_gained',
      ...dateFields('givenOn', '2026-11-15'),
      incomeGained: '',
    });
    expect(noIncome.statusCode).toBe(400);
    expect(noIncome.body).toContain('Enter the income gained a year, in pounds');
    expect(
      (
        await send(worker, `${base}/${id}`, {
          version: versionOf(page.body),
          outcome: 'income_gained',
          ...dateFields('givenOn', '2026-11-15'),
          incomeGained: '£2,400',
        })
      ).statusCode,
    ).toBe(303);
    const row = await deps.db
      .selectFrom('practical_help')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'given',
      welfare_outcome: 'income_gained',
      income_gained_pence: 240000,
    });
    expect((await get(worker, base)).body).toContain('£2,400.00 a year gained');

    // A row written the way help was recorded before migration 0024 is help given.
    const old = await deps.db
      .insertInto('practical_help')
      .values({
        episode_id: episodeId,
        person_id: childId,
        given_on: '2026-09-10',
        kind: 'food',
        amount_pence: 3000,
        description: 'Food vouchers',
      })
      .returning(['status', 'category', 'version'])
      .executeTakeFirstOrThrow();
    expect(old).toEqual({ status: 'given', category: 'in_kind', version: 1 });
    const oldPage = await get(worker, base);
    expect(oldPage.statusCode).toBe(200);
    expect(oldPage.body).toContain('Food vouchers');
    // Nothing more can be recorded for help given.
    const given = await deps.db
      .selectFrom('practical_help')
      .select('id')
      .where('description', '=', 'Food vouchers')
      .where('person_id', '=', childId)
      .executeTakeFirstOrThrow();
    expectGovukErrorPage(
      await send(worker, `${base}/${given.id}`, { version: '1', ...dateFields('givenOn', '2026-11-15') }),
      409,
    );
  });
});

describe('the practical help report', () => {
  it('counts requests, refusals, payments, days to payment and income gained by locality and decile', async () => {
    const report = await makeWorld(deps);
    const child = async (teamId: string, lsoa: string | null) => {
      const id = await report.child({ teamId });
      if (lsoa)
        await deps.db
          .insertInto('person_addresses')
          .values({
            person_id: id,
            line1: '1 High Street',
            postcode: 'X',
            lsoa21_code: lsoa,
            started_on: '2020-01-01',
          })
          .execute();
      return { id, episode: await openHelp(report.organisationId, id) };
    };
    const a = await child(report.teamA, TEST_POSTCODES.mostDeprived.lsoa21Code); // North, decile 1
    const b = await child(report.teamB, TEST_POSTCODES.leastDeprived.lsoa21Code); // South, decile 10
    const c = await child(report.teamA, null); // North, decile not known
    const help = (
      who: { id: string; episode: string },
      row: Omit<Insertable<PracticalHelpRow>, 'episode_id' | 'person_id' | 'kind' | 'description'> &
        Partial<Pick<Insertable<PracticalHelpRow>, 'kind'>>,
    ): Insertable<PracticalHelpRow> => ({
      episode_id: who.episode,
      person_id: who.id,
      kind: 'cash',
      description: 'Help',
      ...row,
    });
    await deps.db
      .insertInto('practical_help')
      .values([
        help(a, {
          category: 'section17',
          status: 'given',
          requested_on: '2026-11-01',
          decided_on: '2026-11-02',
          given_on: '2026-11-04',
          amount_pence: 10000,
        }),
        help(a, {
          category: 'in_kind',
          kind: 'food',
          status: 'given',
          requested_on: '2026-11-03',
          given_on: '2026-11-04',
          amount_pence: 2000,
        }),
        help(a, {
          category: 'section17',
          status: 'refused',
          requested_on: '2026-11-10',
          decided_on: '2026-11-10',
          refusal_reason: 'Paid by the fund',
          amount_pence: 9999,
        }),
        help(b, {
          category: 'section17',
          status: 'given',
          requested_on: '2026-11-01',
          given_on: '2026-11-11',
          amount_pence: 5000,
        }),
        help(b, {
          category: 'welfare_rights',
          kind: 'benefits_advice',
          status: 'given',
          requested_on: '2026-11-02',
          given_on: '2026-11-20',
          welfare_outcome: 'income_gained',
          income_gained_pence: 240000,
        }),
        help(b, {
          category: 'in_kind',
          kind: 'clothing',
          status: 'given',
          given_on: '2026-11-15',
          amount_pence: 3000,
        }),
        help(c, {
          category: 'welfare_rights',
          kind: 'debt_advice',
          status: 'requested',
          requested_on: '2026-11-05',
        }),
        help(c, {
          category: 'section17',
          status: 'requested',
          requested_on: '2026-11-06',
          amount_pence: 1000,
        }),
        // Outside the period.
        help(a, {
          category: 'section17',
          status: 'given',
          requested_on: '2026-08-01',
          given_on: '2026-08-02',
          amount_pence: 777,
        }),
      ])
      .execute();
    const figures = await practicalHelpFigures({
      db: deps.db,
      organisationId: report.organisationId,
      filters: { from: '2026-10-01', to: '2026-12-31' },
      today: '2026-12-01',
    });
    const locality = figures.find((f) => f.id === 'by-locality');
    expect(locality?.rows).toEqual([
      {
        label: 'North',
        requests: 4,
        refused: 1,
        given: 2,
        amount: 120,
        medianDays: 2,
        referrals: 1,
        income: 0,
      },
      {
        label: 'South',
        requests: 2,
        refused: 0,
        given: 2,
        amount: 80,
        medianDays: 10,
        referrals: 1,
        income: 2400,
      },
      {
        label: 'Total',
        requests: 6,
        refused: 1,
        given: 4,
        amount: 200,
        medianDays: 3,
        referrals: 2,
        income: 2400,
      },
    ]);
    const decile = figures.find((f) => f.id === 'by-decile');
    const rows = new Map(decile?.rows.map((r) => [r['label'], r]));
    expect(rows.get('1 (most deprived)')).toMatchObject({
      requests: 3,
      refused: 1,
      given: 2,
      amount: 120,
      medianDays: 2,
    });
    expect(rows.get('10 (least deprived)')).toMatchObject({
      requests: 2,
      given: 2,
      amount: 80,
      referrals: 1,
      income: 2400,
    });
    expect(rows.get('Not known')).toMatchObject({
      requests: 1,
      given: 0,
      amount: 0,
      medianDays: null,
      referrals: 1,
    });
    expect(rows.get('5')).toMatchObject({ requests: 0, referrals: 0 });
    expect(decile?.rows.length).toBe(12);

    // The decile filter keeps only the most deprived neighbourhood's help.
    const deprived = await practicalHelpFigures({
      db: deps.db,
      organisationId: report.organisationId,
      filters: { from: '2026-10-01', to: '2026-12-31', decile: 1 },
      today: '2026-12-01',
    });
    expect(
      deprived.find((f) => f.id === 'by-locality')?.rows.map((r) => [r['label'], r['requests']]),
    ).toEqual([
      ['North', 3],
      ['Total', 3],
    ]);

    // Suppressed as insight suppresses: counts under 5, and the amounts worked out from them, hidden.
    const shown = suppressFigure(locality ?? { id: '', title: '', description: '', columns: [], rows: [] });
    expect(shown.hidden[0]?.['requests']).toBe('small');
    expect(shown.hidden[0]?.['amount']).toBe('derived');
    expect(shown.hidden[0]?.['medianDays']).toBe('derived');
  });
});
