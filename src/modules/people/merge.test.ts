import { describe, expect, it } from 'vitest';
import type { Actor } from '../access/actor.ts';
import { MERGE_RULES, type MergeRuleContext, type PersonFacts } from './merge.ts';

/**
 * The merge rules that decide from the two records alone, without the database. The rules that
 * query (decisions, links between the records) and the whole merge are tested in
 * test/integration/merge.test.ts.
 */

const manager: Actor = {
  userId: 'u1',
  organisationId: 'o1',
  displayName: 'Manager',
  teamIds: ['t1'],
  localityIds: [],
  roleIds: ['team_manager'],
  permissions: [{ resource: 'person', action: 'merge', scope: 'team' }],
};
const administrator: Actor = {
  ...manager,
  roleIds: ['administrator'],
  permissions: [{ resource: 'person', action: 'merge', scope: 'authority' }],
};

function facts(overrides: Partial<PersonFacts> = {}): PersonFacts {
  return {
    id: 'p1',
    organisationId: 'o1',
    givenName: 'Jon',
    familyName: 'Smyth',
    preferredName: null,
    dateOfBirth: '2012-03-04',
    expectedDateOfBirth: null,
    sex: null,
    nhsNumber: null,
    upn: null,
    consistentChildId: null,
    councilPersonId: null,
    mergedInto: null,
    version: 1,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    teams: [],
    workers: [],
    restrictionCategories: [],
    restrictedFromActor: false,
    inMergeScope: true,
    ...overrides,
  };
}

/** The reason a synchronous rule gives for this pair, or undefined when it passes. */
function reason(
  rule: string,
  keep: Partial<PersonFacts>,
  merge: Partial<PersonFacts>,
  actor: Actor = manager,
): string | undefined {
  const found = MERGE_RULES.find((r) => r.name === rule);
  if (!found) throw new Error(`no rule ${rule}`);
  const context = {
    actor,
    clock: { now: () => new Date() },
    keep: facts({ id: 'keep', ...keep }),
    merge: facts({ id: 'merge', ...merge }),
  } as unknown as MergeRuleContext; // no database: these rules never use it
  const result = found.check(context);
  if (result instanceof Promise) throw new Error(`${rule} is not synchronous`);
  return result;
}

describe('merge rules', () => {
  it('have unique names and a description each, so a rule can be added by name', () => {
    const names = MERGE_RULES.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of MERGE_RULES) expect(rule.description.length).toBeGreaterThan(10);
  });

  it('refuse a record merged with itself, or a record already merged', () => {
    expect(reason('different-records', { id: 'same' }, { id: 'same' })).toMatch(/itself/);
    expect(reason('different-records', {}, {})).toBeUndefined();
    expect(reason('not-already-merged', {}, { mergedInto: 'x' })).toMatch(
      /record to merge has already been merged/,
    );
    expect(reason('not-already-merged', { mergedInto: 'x' }, {})).toMatch(
      /record to keep has already been merged/,
    );
    expect(reason('not-already-merged', {}, {})).toBeUndefined();
  });

  it('refuse different NHS numbers and dates of birth, but not a missing one', () => {
    expect(reason('nhs-number', { nhsNumber: '9434765919' }, { nhsNumber: '9434765870' })).toMatch(
      /different NHS numbers/,
    );
    expect(reason('nhs-number', { nhsNumber: '9434765919' }, { nhsNumber: '9434765919' })).toBeUndefined();
    expect(reason('nhs-number', { nhsNumber: null }, { nhsNumber: '9434765919' })).toBeUndefined();
    expect(reason('date-of-birth', { dateOfBirth: '2012-03-04' }, { dateOfBirth: '2012-04-03' })).toMatch(
      /different dates of birth/,
    );
    expect(reason('date-of-birth', { dateOfBirth: '2012-03-04' }, { dateOfBirth: null })).toBeUndefined();
    expect(reason('date-of-birth', { dateOfBirth: null }, { dateOfBirth: null })).toBeUndefined();
  });

  it('refuse differing restrictions: one restricted and not the other, or different categories', () => {
    expect(reason('restrictions', { restrictionCategories: ['adoption'] }, {})).toMatch(
      /One record is restricted and the other is not/,
    );
    expect(reason('restrictions', {}, { restrictionCategories: ['staff'] })).toMatch(
      /One record is restricted and the other is not/,
    );
    expect(
      reason('restrictions', { restrictionCategories: ['adoption'] }, { restrictionCategories: ['staff'] }),
    ).toMatch(/different reasons/);
    expect(
      reason(
        'restrictions',
        { restrictionCategories: ['adoption', 'staff'] },
        { restrictionCategories: ['adoption', 'staff'] },
      ),
    ).toBeUndefined();
    expect(reason('restrictions', {}, {})).toBeUndefined();
  });

  it('refuse records restricted from the actor, or outside their area', () => {
    expect(reason('restricted-from-you', {}, { restrictedFromActor: true })).toMatch(/restricted/);
    expect(reason('restricted-from-you', {}, {})).toBeUndefined();
    expect(reason('in-your-area', { inMergeScope: false }, {})).toMatch(/team you do not manage/);
    expect(reason('in-your-area', {}, {})).toBeUndefined();
  });

  it('refuse records allocated to different teams unless the actor has authority-wide scope', () => {
    const teamA = [{ id: 't1', name: 'Team A' }];
    const teamB = [{ id: 't2', name: 'Team B' }];
    expect(reason('allocated-teams', { teams: teamA }, { teams: teamB })).toMatch(/different teams/);
    expect(reason('allocated-teams', { teams: teamA }, { teams: teamB }, administrator)).toBeUndefined();
    expect(reason('allocated-teams', { teams: teamA }, { teams: teamA })).toBeUndefined();
    expect(reason('allocated-teams', { teams: teamA }, { teams: [] })).toBeUndefined();
    expect(reason('allocated-teams', { teams: teamA }, { teams: [...teamA, ...teamB] })).toMatch(
      /different teams/,
    );
  });
});
