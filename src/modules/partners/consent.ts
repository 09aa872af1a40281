import type { Selectable } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.ts';
import { londonDate } from '../../platform/clock.ts';
import type { Deps } from '../../platform/deps.ts';
import { InvalidInputError, NotFoundError } from '../../platform/errors.ts';
import type { Actor } from '../access/actor.ts';
import { UUID, type Executor } from '../help/access.ts';
import { ErrorList, parseDate, type DateParts } from '../people/person-form.ts';
import { childInScope, viewChild } from './access.ts';
import { CONSENT_GIVERS, CONSENT_HOW, isCode } from './codes.ts';
import type { ConsentTable } from './partners.table.ts';

/**
 * Consent to share information about a child: who gave it (the young person, or a parent or other
 * person in the record), for what, to which organisations, from when until when; and its withdrawal.
 * Anything that relies on a consent (a decision to share, a partner's membership of the team around
 * the family) stops when the consent is withdrawn or expires: see consentIsLive and person-scope.ts.
 */

type Context = { readonly requestId?: string | null | undefined };

export type ConsentRow = Selectable<ConsentTable>;
export type ConsentState = 'live' | 'not_started' | 'expired' | 'withdrawn';

export const CONSENT_STATES: Readonly<Record<ConsentState, string>> = {
  live: 'In force',
  not_started: 'Not started yet',
  expired: 'Expired',
  withdrawn: 'Withdrawn',
};

/** The state of a consent on a day (YYYY-MM-DD). */
export function consentState(
  row: Pick<ConsentRow, 'valid_from' | 'valid_until' | 'withdrawn_on'>,
  day: string,
): ConsentState {
  if (row.withdrawn_on !== null && row.withdrawn_on <= day) return 'withdrawn';
  if (row.valid_from > day) return 'not_started';
  if (row.valid_until !== null && row.valid_until < day) return 'expired';
  return 'live';
}

/**
 * Whether a consent about this child is in force on `day` and (when given) covers the organisation.
 * Read in the caller's transaction.
 */
export async function consentIsLive(
  db: Executor,
  input: { consentId: string; childId: string; day: string; organisationId?: string | null },
): Promise<boolean> {
  if (!UUID.test(input.consentId)) return false;
  const row = await db
    .selectFrom('consents')
    .selectAll()
    .where('id', '=', input.consentId)
    .where('child_id', '=', input.childId)
    .executeTakeFirst();
  if (!row || consentState(row, input.day) !== 'live') return false;
  if (!input.organisationId) return true;
  const covered = await db
    .selectFrom('consent_organisations')
    .select('organisation_id')
    .where('consent_id', '=', row.id)
    .where('organisation_id', '=', input.organisationId)
    .executeTakeFirst();
  return covered !== undefined;
}

export type ConsentView = {
  readonly id: string;
  readonly givenBy: string;
  readonly givenByRole: string;
  readonly purpose: string;
  readonly organisations: readonly string[];
  readonly otherRecipients: string | null;
  readonly validFrom: string;
  readonly validUntil: string | null;
  readonly howGiven: string;
  readonly recordedBy: string;
  readonly withdrawnOn: string | null;
  readonly withdrawnBy: string | null;
  readonly withdrawnNote: string | null;
  readonly state: ConsentState;
  readonly stateLabel: string;
};

/** The child's consents, newest first (the caller has checked scope and audited the view). */
export async function consentsOf(db: Executor, childId: string, today: string): Promise<ConsentView[]> {
  const rows = await db
    .selectFrom('consents')
    .innerJoin('people as giver', 'giver.id', 'consents.given_by_person_id')
    .innerJoin('users as recorder', 'recorder.id', 'consents.recorded_by')
    .leftJoin('users as withdrawer', 'withdrawer.id', 'consents.withdrawn_recorded_by')
    .selectAll('consents')
    .select([
      'giver.given_name',
      'giver.family_name',
      'recorder.display_name as recorder_name',
      'withdrawer.display_name as withdrawer_name',
    ])
    .where('consents.child_id', '=', childId)
    .orderBy('consents.valid_from', 'desc')
    .orderBy('consents.recorded_at', 'desc')
    .execute();
  const orgs =
    rows.length === 0
      ? []
      : await db
          .selectFrom('consent_organisations')
          .innerJoin('organisations', 'organisations.id', 'consent_organisations.organisation_id')
          .select(['consent_organisations.consent_id', 'organisations.name'])
          .where(
            'consent_organisations.consent_id',
            'in',
            rows.map((r) => r.id),
          )
          .orderBy('organisations.name')
          .execute();
  return rows.map((row) => {
    const state = consentState(row, today);
    return {
      id: row.id,
      givenBy: `${row.given_name} ${row.family_name}`,
      givenByRole: CONSENT_GIVERS[row.given_by_role],
      purpose: row.purpose,
      organisations: orgs.filter((o) => o.consent_id === row.id).map((o) => o.name),
      otherRecipients: row.other_recipients,
      validFrom: row.valid_from,
      validUntil: row.valid_until,
      howGiven: CONSENT_HOW[row.how_given],
      recordedBy: row.recorder_name,
      withdrawnOn: row.withdrawn_on,
      withdrawnBy: row.withdrawer_name,
      withdrawnNote: row.withdrawn_note,
      state,
      stateLabel: CONSENT_STATES[state],
    };
  });
}

/** The people who may give consent about this child: the young person and the people related to them. */
export async function consentGiversFor(
  db: Executor,
  child: { id: string; given_name: string; family_name: string },
): Promise<{ id: string; name: string }[]> {
  const rows = await db
    .selectFrom('relationships')
    .innerJoin('people', (join) =>
      join.on((eb) =>
        eb.or([
          eb.and([
            eb('relationships.person_id', '=', child.id),
            eb('people.id', '=', eb.ref('relationships.related_person_id')),
          ]),
          eb.and([
            eb('relationships.related_person_id', '=', child.id),
            eb('people.id', '=', eb.ref('relationships.person_id')),
          ]),
        ]),
      ),
    )
    .select(['people.id', 'people.given_name', 'people.family_name'])
    .where('relationships.ended_on', 'is', null)
    .where('people.merged_into', 'is', null)
    .distinct()
    .orderBy('people.family_name')
    .orderBy('people.given_name')
    .execute();
  return [
    { id: child.id, name: `${child.given_name} ${child.family_name}` },
    ...rows.map((r) => ({ id: r.id, name: `${r.given_name} ${r.family_name}` })),
  ];
}

/** Organisations that information may be shared with: partner organisations and the authority itself. */
export async function organisationChoices(
  db: Executor,
): Promise<{ id: string; name: string; kind: string }[]> {
  return db.selectFrom('organisations').select(['id', 'name', 'kind']).orderBy('name').execute();
}

export type ConsentValues = {
  readonly givenByPersonId: string;
  readonly givenByRole: string;
  readonly purpose: string;
  readonly organisationIds: readonly string[];
  readonly otherRecipients: string;
  readonly validFrom: DateParts;
  readonly validUntil: DateParts;
  readonly howGiven: string;
};

const TEXT_MAX = 2000;

/** Records a consent the family gave. */
export async function recordConsent(
  deps: Deps,
  actor: Actor,
  input: { childId: string; values: ConsentValues } & Context,
): Promise<string> {
  return deps.db.transaction().execute(async (trx) => {
    const child = await childInScope(trx, actor, deps.clock, input.childId, 'information_sharing', 'write');
    const v = input.values;
    const errors = new ErrorList();
    const givers = await consentGiversFor(trx, child);
    if (v.givenByPersonId === '') errors.add('givenByPersonId', 'Select who gave consent');
    else if (!givers.some((g) => g.id === v.givenByPersonId))
      errors.add('givenByPersonId', 'Select who gave consent from the list');
    if (!isCode(CONSENT_GIVERS, v.givenByRole))
      errors.add('givenByRole', 'Select their role in giving consent');
    const purpose = v.purpose.trim();
    if (purpose === '') errors.add('purpose', 'Enter what the consent is for');
    else if (purpose.length > TEXT_MAX)
      errors.add('purpose', `What the consent is for must be ${TEXT_MAX} characters or fewer`);
    const other = v.otherRecipients.trim();
    const orgIds = [...new Set(v.organisationIds)];
    const known =
      orgIds.length === 0 || orgIds.some((id) => !UUID.test(id))
        ? []
        : await trx.selectFrom('organisations').select('id').where('id', 'in', orgIds).execute();
    if (orgIds.length > 0 && known.length !== orgIds.length)
      errors.add('organisationIds', 'Select organisations from the list');
    else if (orgIds.length === 0 && other === '')
      errors.add('organisationIds', 'Select the organisations the family agreed to share with, or name them');
    if (other.length > TEXT_MAX)
      errors.add('otherRecipients', `Other recipients must be ${TEXT_MAX} characters or fewer`);
    const validFrom = parseDate(errors, 'validFrom', 'Date consent was given', v.validFrom, {
      required: 'Enter the date consent was given',
    });
    const validUntil = parseDate(errors, 'validUntil', 'Date consent ends', v.validUntil);
    const today = londonDate(deps.clock.now());
    if (validFrom && validFrom > today)
      errors.addDate('validFrom', 'Date consent was given must be today or in the past', [
        'day',
        'month',
        'year',
      ]);
    if (validFrom && validUntil && validUntil < validFrom)
      errors.addDate('validUntil', 'Date consent ends must be the same as or after the date it was given', [
        'day',
        'month',
        'year',
      ]);
    if (!isCode(CONSENT_HOW, v.howGiven)) errors.add('howGiven', 'Select how consent was given');
    errors.throwIfAny();
    if (!validFrom || !isCode(CONSENT_GIVERS, v.givenByRole) || !isCode(CONSENT_HOW, v.howGiven))
      throw new InvalidInputError([]);
    const row = await trx
      .insertInto('consents')
      .values({
        organisation_id: child.organisation_id,
        child_id: child.id,
        given_by_person_id: v.givenByPersonId,
        given_by_role: v.givenByRole,
        purpose,
        other_recipients: other === '' ? null : other,
        valid_from: validFrom,
        valid_until: validUntil ?? null,
        how_given: v.howGiven,
        recorded_by: actor.userId,
        recorded_at: deps.clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (orgIds.length > 0)
      await trx
        .insertInto('consent_organisations')
        .values(orgIds.map((organisation_id) => ({ consent_id: row.id, organisation_id })))
        .execute();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'consent.record',
      entityType: 'consent',
      entityId: row.id,
      detail: { personId: child.id, organisations: orgIds.length },
      requestId: input.requestId ?? null,
    });
    return row.id;
  });
}

/** The consent, for the withdrawal page (the caller's scope check comes first). */
export async function consentForChild(
  deps: Deps,
  actor: Actor,
  input: { childId: string; consentId: string; route?: string } & Context,
): Promise<ConsentView> {
  const child = await viewChild(deps.db, actor, deps.clock, {
    childId: input.childId,
    resource: 'information_sharing',
    action: 'write',
    route: input.route ?? '/children/:id/information-sharing/consents/:sub/withdraw',
    purpose: 'information_sharing',
    requestId: input.requestId,
  });
  const all = await consentsOf(deps.db, child.id, londonDate(deps.clock.now()));
  const found = all.find((c) => c.id === input.consentId);
  if (!found) throw new NotFoundError();
  return found;
}

/**
 * Records that consent was withdrawn. From the day of withdrawal, nothing may be shared relying on
 * it and partners whose membership of the team around the family relies on it no longer see the child.
 */
export async function withdrawConsent(
  deps: Deps,
  actor: Actor,
  input: { childId: string; consentId: string; withdrawnOn: DateParts; note: string } & Context,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const child = await childInScope(trx, actor, deps.clock, input.childId, 'information_sharing', 'write');
    if (!UUID.test(input.consentId)) throw new NotFoundError();
    const consent = await trx
      .selectFrom('consents')
      .selectAll()
      .where('id', '=', input.consentId)
      .where('child_id', '=', child.id)
      .forUpdate()
      .executeTakeFirst();
    if (!consent) throw new NotFoundError();
    const errors = new ErrorList();
    if (consent.withdrawn_on !== null) errors.add('withdrawnOn', 'This consent has already been withdrawn');
    const on = parseDate(errors, 'withdrawnOn', 'Date consent was withdrawn', input.withdrawnOn, {
      required: 'Enter the date consent was withdrawn',
    });
    const today = londonDate(deps.clock.now());
    if (on && on > today)
      errors.addDate('withdrawnOn', 'Date consent was withdrawn must be today or in the past', [
        'day',
        'month',
        'year',
      ]);
    const note = input.note.trim();
    if (note.length > TEXT_MAX) errors.add('note', `The note must be ${TEXT_MAX} characters or fewer`);
    errors.throwIfAny();
    if (!on) throw new InvalidInputError([]);
    await trx
      .updateTable('consents')
      .set({
        withdrawn_on: on < consent.valid_from ? consent.valid_from : on,
        withdrawn_recorded_by: actor.userId,
        withdrawn_recorded_at: deps.clock.now(),
        withdrawn_note: note === '' ? null : note,
        version: consent.version + 1,
      })
      .where('id', '=', consent.id)
      .execute();
    const relying = await trx
      .selectFrom('team_around_family_members')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('consent_id', '=', consent.id)
      .where('ended_at', 'is', null)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'consent.withdraw',
      entityType: 'consent',
      entityId: consent.id,
      detail: { personId: child.id, membershipsStopped: relying.n },
      requestId: input.requestId ?? null,
    });
  });
}
