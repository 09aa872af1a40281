import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../../db/database.ts';
import { familyViewOfPlacement } from '../../care/family-view.ts';
import { ASSESSMENT_KINDS, ASSESSMENT_OUTCOMES } from '../../help/assessment-codes.ts';
import { longDate } from '../../help/dates.ts';
import { GOAL_PROGRESS, PLAN_KINDS } from '../../help/plan-codes.ts';
import { VISIT_KINDS } from '../../help/visits.ts';
import type { RecordsItemSource } from '../records-requests.table.ts';
import { postcodePattern, termPattern, type ProtectedTerm } from './render.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * What a records bundle may contain, read from the child's (or young person's own) record through an
 * explicit allow-list of family-facing fields. Rows about anyone else, staff-only notes (management
 * oversight), draft plans and assessments still being written are never read.
 */
export type CandidateItem = {
  readonly sourceType: RecordsItemSource;
  readonly sourceId: string;
  readonly occurredOn: string | null;
  readonly heading: string;
  readonly body: string;
};

function inRange(on: string | null, from: string | null, to: string | null): boolean {
  if (on === null) return from === null && to === null;
  if (from !== null && on < from) return false;
  if (to !== null && on > to) return false;
  return true;
}

function isoDate(value: Date | string | null): string | null {
  if (value === null) return null;
  return typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10);
}

export async function candidateItems(
  db: Executor,
  input: { childId: string; dateFrom: string | null; dateTo: string | null },
): Promise<CandidateItem[]> {
  const { childId, dateFrom, dateTo } = input;
  const [plans, goals, assessments, visits, chronology] = await Promise.all([
    db
      .selectFrom('plans')
      .select(['id', 'kind', 'status', 'started_on', 'ended_on', 'family_words', 'child_words', 'created_at'])
      .where('person_id', '=', childId)
      .where('status', '<>', 'draft')
      .execute(),
    db
      .selectFrom('plan_goals')
      .innerJoin('plans', 'plans.id', 'plan_goals.plan_id')
      .select([
        'plan_goals.plan_id',
        'plan_goals.position',
        'plan_goals.goal',
        'plan_goals.who',
        'plan_goals.by_when',
        'plan_goals.progress',
      ])
      .where('plans.person_id', '=', childId)
      .orderBy('plan_goals.plan_id')
      .orderBy('plan_goals.position')
      .execute(),
    db
      .selectFrom('assessments')
      .select(['id', 'kind', 'started_on', 'completed_on', 'family_account', 'child_views', 'outcome'])
      .where('person_id', '=', childId)
      .where('status', 'in', ['submitted', 'authorised'])
      .execute(),
    db
      .selectFrom('visits')
      .select(['id', 'visited_on', 'kind', 'what_happened', 'childs_words'])
      .where('person_id', '=', childId)
      .execute(),
    db
      .selectFrom('chronology_entries')
      .select(['id', 'occurred_on', 'summary'])
      .where('person_id', '=', childId)
      // Entries chosen from a practice note only when the note is not a manager's oversight note.
      .where((eb) =>
        eb.or([
          eb('source_type', 'is', null),
          eb('source_type', '<>', 'practice_note'),
          eb.exists(
            eb
              .selectFrom('practice_notes')
              .select('practice_notes.id')
              .whereRef('practice_notes.id', '=', 'chronology_entries.source_id')
              .where('practice_notes.kind', '<>', 'management_oversight'),
          ),
        ]),
      )
      .execute(),
  ]);

  const items: CandidateItem[] = [];
  for (const plan of plans) {
    const on = plan.started_on ?? isoDate(plan.created_at);
    if (!inRange(on, dateFrom, dateTo)) continue;
    const lines: string[] = [];
    const mine = goals.filter((g) => g.plan_id === plan.id);
    if (mine.length > 0) lines.push('Goals:');
    for (const goal of mine) {
      const parts = [`Who: ${goal.who}.`];
      if (goal.by_when) parts.push(`By: ${longDate(goal.by_when)}.`);
      if (goal.progress) parts.push(`Progress: ${GOAL_PROGRESS[goal.progress]}.`);
      lines.push(`- ${goal.goal} (${parts.join(' ')})`);
    }
    if (plan.family_words) lines.push(`What the family said: ${plan.family_words}`);
    if (plan.child_words) lines.push(`What the child said: ${plan.child_words}`);
    items.push({
      sourceType: 'plan',
      sourceId: plan.id,
      occurredOn: on,
      heading: PLAN_KINDS[plan.kind],
      body: lines.join('\n'),
    });
  }
  for (const assessment of assessments) {
    const on = assessment.completed_on ?? assessment.started_on;
    if (!inRange(on, dateFrom, dateTo)) continue;
    const lines: string[] = [];
    if (assessment.family_account) lines.push(`What the family told us: ${assessment.family_account}`);
    if (assessment.child_views) lines.push(`What the child told us: ${assessment.child_views}`);
    if (assessment.outcome) lines.push(`What we decided: ${ASSESSMENT_OUTCOMES[assessment.outcome]}`);
    items.push({
      sourceType: 'assessment',
      sourceId: assessment.id,
      occurredOn: on,
      heading: ASSESSMENT_KINDS[assessment.kind],
      body: lines.join('\n'),
    });
  }
  for (const visit of visits) {
    if (!inRange(visit.visited_on, dateFrom, dateTo)) continue;
    const lines = [visit.what_happened];
    if (visit.childs_words) lines.push(`What the child said: ${visit.childs_words}`);
    items.push({
      sourceType: 'visit',
      sourceId: visit.id,
      occurredOn: visit.visited_on,
      heading: `Visit: ${VISIT_KINDS[visit.kind]}`,
      body: lines.join('\n'),
    });
  }
  for (const entry of chronology) {
    if (!inRange(entry.occurred_on, dateFrom, dateTo)) continue;
    items.push({
      sourceType: 'chronology',
      sourceId: entry.id,
      occurredOn: entry.occurred_on,
      heading: 'Event in the record',
      body: entry.summary,
    });
  }
  const order: Record<RecordsItemSource, number> = { plan: 0, assessment: 1, visit: 2, chronology: 3 };
  return items.sort(
    (a, b) =>
      (a.occurredOn ?? '').localeCompare(b.occurredOn ?? '') ||
      order[a.sourceType] - order[b.sourceType] ||
      a.sourceId.localeCompare(b.sourceId),
  );
}

/**
 * The text that must never reach the family, whatever the preparer does: every address hidden from
 * the family (the child's and their relatives'), the details of every placement the family view
 * withholds, and the names of restricted people connected with the child.
 */
export async function protectedTermsFor(db: Executor, childId: string): Promise<ProtectedTerm[]> {
  const related = await db
    .selectFrom('relationships')
    .select(['person_id', 'related_person_id'])
    .where((eb) => eb.or([eb('person_id', '=', childId), eb('related_person_id', '=', childId)]))
    .execute();
  const people = [...new Set([childId, ...related.flatMap((r) => [r.person_id, r.related_person_id])])];
  const [addresses, placements, restricted] = await Promise.all([
    db
      .selectFrom('person_addresses')
      .select(['line1', 'line2', 'postcode'])
      .where('person_id', 'in', people)
      .where('hidden_from_family', '=', true)
      .execute(),
    db
      .selectFrom('placements')
      .innerJoin('care_periods', 'care_periods.id', 'placements.care_period_id')
      .select([
        'placements.placement_type',
        'placements.provider',
        'placements.started_on',
        'placements.ended_on',
        'placements.address_hidden_from_family',
        'placements.address',
        'placements.postcode',
        'placements.carer_name',
        'placements.provider_name',
        'placements.carer_person_id',
      ])
      .where('care_periods.person_id', '=', childId)
      .execute(),
    db
      .selectFrom('people')
      .select(['given_name', 'family_name', 'preferred_name'])
      .where('id', 'in', people)
      .where('id', '<>', childId)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('person_restrictions')
            .select('person_restrictions.id')
            .whereRef('person_restrictions.person_id', '=', 'people.id')
            .where('person_restrictions.ended_at', 'is', null),
        ),
      )
      .execute(),
  ]);
  const terms: ProtectedTerm[] = [];
  const add = (pattern: RegExp | null, reason: ProtectedTerm['reason']): void => {
    if (pattern) terms.push({ pattern, reason });
  };
  // An address line, and the street without its house or flat number ("Larkspur Gardens" as well as
  // "14 Larkspur Gardens"): taking out too much is safer than too little.
  const addAddressLine = (line: string): void => {
    add(termPattern(line), 'serious_harm');
    const street = line.replace(/^\s*(flat|apartment|unit)?\s*\d+[a-z]?\b[\s,]*/i, '');
    if (street !== line && street.trim().length >= 8) add(termPattern(street), 'serious_harm');
  };
  for (const address of addresses) {
    addAddressLine(address.line1);
    if (address.line2) add(termPattern(address.line2), 'serious_harm');
    add(postcodePattern(address.postcode), 'serious_harm');
  }
  const hiddenCarers: string[] = [];
  for (const placement of placements) {
    const view = familyViewOfPlacement({
      placement_type: placement.placement_type,
      provider: placement.provider,
      started_on: placement.started_on,
      ended_on: placement.ended_on,
      address_hidden_from_family: placement.address_hidden_from_family,
      address: placement.address,
      postcode: placement.postcode,
      carer_name: placement.carer_name,
      provider_name: placement.provider_name,
    });
    if (!view.withheld) continue;
    for (const value of [placement.address, placement.carer_name, placement.provider_name]) {
      if (!value) continue;
      // A multi-line address: each line on its own as well as the whole.
      add(termPattern(value), 'serious_harm');
      for (const line of value.split(/\r?\n|,/)) addAddressLine(line);
    }
    if (placement.postcode) add(postcodePattern(placement.postcode), 'serious_harm');
    if (placement.carer_person_id) hiddenCarers.push(placement.carer_person_id);
  }
  if (hiddenCarers.length > 0) {
    // The carers of a placement kept from the family: their names and every address of theirs.
    const [carers, carerAddresses] = await Promise.all([
      db
        .selectFrom('people')
        .select(['given_name', 'family_name', 'preferred_name'])
        .where('id', 'in', hiddenCarers)
        .execute(),
      db
        .selectFrom('person_addresses')
        .select(['line1', 'line2', 'postcode'])
        .where('person_id', 'in', hiddenCarers)
        .execute(),
    ]);
    for (const carer of carers) {
      add(termPattern(`${carer.given_name} ${carer.family_name}`), 'serious_harm');
      if (carer.preferred_name)
        add(termPattern(`${carer.preferred_name} ${carer.family_name}`), 'serious_harm');
    }
    for (const address of carerAddresses) {
      addAddressLine(address.line1);
      if (address.line2) add(termPattern(address.line2), 'serious_harm');
      add(postcodePattern(address.postcode), 'serious_harm');
    }
  }
  for (const person of restricted) {
    add(termPattern(`${person.given_name} ${person.family_name}`), 'third_party');
    if (person.preferred_name)
      add(termPattern(`${person.preferred_name} ${person.family_name}`), 'third_party');
  }
  return terms;
}
