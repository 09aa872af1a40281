import type { Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Database } from '../../db/database.ts';
import { recordAudit, recordView } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/errors.ts';
import { can, type Actor } from '../access/actor.ts';
import { personInScope } from '../access/person-scope.ts';
import {
  addressesQuery,
  householdQuery,
  toAddressViews,
  toHousehold,
  type AddressView,
  type HouseholdMember,
} from './addresses.ts';
import {
  ErrorList,
  PERSON_FIELD_ORDER,
  formFromPerson,
  checkPersonForm,
  isKey,
  isoToday,
  parseDate,
  readDateParts,
  requiredText,
  sortErrors,
  type DateParts,
  type FormInputError,
  type FormSource,
  type PersonDetails,
  type PersonFormValues,
} from './person-form.ts';
import {
  asFlag,
  canCreatePeople,
  insertPerson,
  isUuid,
  likelyDuplicates,
  requireWritable,
  type DuplicateCandidate,
  type WritablePerson,
} from './person-write.ts';
import { professionalsQuery, toProfessionalViews, type ProfessionalView } from './professionals.ts';
import { relationshipsQuery, toRelationshipViews, type RelationshipView } from './relationships.ts';
import { restrictedFrom } from './restrictions.ts';

export type PersonSummary = {
  readonly id: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly dateOfBirth: string | null;
  readonly isChild: boolean;
};

export type PersonRecord = PersonSummary & {
  readonly teamName: string | null;
  readonly workerName: string | null;
  readonly viaBreakGlass: boolean;
};

export type ViewContext = { readonly requestId: string; readonly route: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The people this actor may see, in name order: children only unless asked for adults or everyone
 * (the lists of children on the home and children pages call it without options).
 */
export async function listPeopleInScope(
  deps: Deps,
  actor: Actor,
  limit = 100,
  options: { readonly who?: 'children' | 'adults' | 'everyone' } = {},
): Promise<PersonSummary[]> {
  // Listing people needs a permission to read them: a partner practitioner (or an administrator)
  // holds none, and is refused rather than shown an empty list.
  if (!can(actor, 'person', 'read')) throw new ForbiddenError();
  const who = options.who ?? 'children';
  let query = deps.db
    .selectFrom('people')
    .select(['id', 'given_name', 'family_name', 'date_of_birth', 'is_child'])
    .select((eb) => asFlag(eb, restrictedFrom(actor, deps.clock)(eb)).as('restricted'))
    .where('merged_into', 'is', null)
    .where(personInScope(actor, 'read', deps.clock));
  if (who !== 'everyone') query = query.where('is_child', '=', who === 'children');
  const rows = await query.orderBy('family_name').orderBy('given_name').orderBy('id').limit(limit).execute();
  // Of a restricted record, only the name is shown.
  return rows.map((r) => ({
    id: r.id,
    givenName: r.given_name,
    familyName: r.family_name,
    dateOfBirth: r.restricted ? null : r.date_of_birth,
    isChild: r.is_child,
  }));
}

/**
 * Opens a person's record for viewing. Outside the actor's scope it is "not found", exactly as for a
 * missing record, and the refusal is audited; every successful view writes an access entry in the same
 * transaction as the read.
 */
export async function viewPerson(
  deps: Deps,
  actor: Actor,
  personId: string,
  context: ViewContext,
): Promise<PersonRecord> {
  if (!UUID.test(personId)) throw new NotFoundError();
  // The view (or the refusal) is committed before anything is shown: see recordView.
  const row = await scopedPerson(deps, actor, personId).executeTakeFirst();
  return auditedView(deps, actor, personId, context, row);
}

/**
 * The person if in the actor's read scope (no row otherwise), with their allocation and whether
 * ordinary scope alone covers them (false: seen through break-glass). One query; callers may select
 * more of the same row (the person page does).
 */
function scopedPerson(deps: Deps, actor: Actor, personId: string) {
  // Every grant has expired by the end of time, so this asks for ordinary scope alone.
  const endOfTime = { now: () => new Date('9999-12-31T00:00:00Z') };
  return deps.db
    .selectFrom('people')
    .leftJoin('allocations', (join) =>
      join.onRef('allocations.person_id', '=', 'people.id').on('allocations.ended_at', 'is', null),
    )
    .leftJoin('teams', 'teams.id', 'allocations.team_id')
    .leftJoin('users as worker', 'worker.id', 'allocations.worker_user_id')
    .select((eb) => [
      'people.id',
      'people.given_name',
      'people.family_name',
      'people.date_of_birth',
      'people.is_child',
      'teams.name as team_name',
      'worker.display_name as worker_name',
      eb
        .case()
        .when(personInScope(actor, 'read', endOfTime)(eb))
        .then(true)
        .else(false)
        .end()
        .as('ordinary'),
    ])
    .where('people.id', '=', personId)
    .where(personInScope(actor, 'read', deps.clock));
}

type ScopedPersonRow = {
  readonly id: string;
  readonly given_name: string;
  readonly family_name: string;
  readonly date_of_birth: string | null;
  readonly is_child: boolean;
  readonly team_name: string | null;
  readonly worker_name: string | null;
  readonly ordinary: boolean;
};

/**
 * Audits the view of a person read by scopedPerson: a refusal (no row: outside scope or missing) as
 * `access.denied` and "not found"; otherwise a `person.view`, marked when break-glass was the basis.
 */
async function auditedView(
  deps: Deps,
  actor: Actor,
  personId: string,
  context: ViewContext,
  row: ScopedPersonRow | undefined,
): Promise<PersonRecord> {
  if (!row) {
    await recordView(deps.db, {
      actorUserId: actor.userId,
      action: 'access.denied',
      entityType: 'person',
      entityId: personId,
      detail: { route: context.route },
      requestId: context.requestId,
    });
    throw new NotFoundError();
  }
  const viaBreakGlass = !row.ordinary;
  await recordView(deps.db, {
    actorUserId: actor.userId,
    action: 'person.view',
    entityType: 'person',
    entityId: personId,
    detail: { route: context.route, ...(viaBreakGlass ? { basis: 'break_glass' } : {}) },
    requestId: context.requestId,
  });
  return {
    id: row.id,
    givenName: row.given_name,
    familyName: row.family_name,
    dateOfBirth: row.date_of_birth,
    isChild: row.is_child,
    teamName: row.team_name,
    workerName: row.worker_name,
    viaBreakGlass,
  };
}

export type AccessEntry = {
  readonly when: Date;
  readonly who: string;
  readonly action: string;
  readonly route: string | null;
};

/** Who has looked at this record: for the person's own page ("who has viewed this record"). */
export async function recordAccessLog(
  deps: Deps,
  actor: Actor,
  personId: string,
  context: ViewContext,
): Promise<{ person: PersonRecord; entries: AccessEntry[] }> {
  const person = await viewPerson(deps, actor, personId, context);
  const rows = await deps.db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.actor_user_id')
    .select(['audit_log.occurred_at', 'users.display_name', 'audit_log.action', 'audit_log.detail'])
    .where('audit_log.entity_type', '=', 'person')
    .where('audit_log.entity_id', '=', personId)
    .where('audit_log.action', 'in', ['person.view', 'break_glass.granted'])
    .orderBy('audit_log.seq', 'desc')
    .limit(200)
    .execute();
  const entries = rows.map((r) => ({
    when: r.occurred_at,
    who: r.display_name ?? 'Unknown',
    action: r.action,
    route: typeof r.detail['route'] === 'string' ? r.detail['route'] : null,
  }));
  return { person, entries };
}

// ---------------------------------------------------------------------------------------------
// Adding and changing people
// ---------------------------------------------------------------------------------------------

function sortedPersonErrors(errors: ErrorList): FormInputError {
  return sortErrors(errors, PERSON_FIELD_ORDER);
}

/** Another live record with this NHS number (the database allows one), as a field error. */
async function checkNhsNumberFree(
  db: Deps['db'] | Transaction<Database>,
  errors: ErrorList,
  nhsNumber: string | null,
  exceptId?: string,
) {
  if (!nhsNumber) return;
  let query = db
    .selectFrom('people')
    .select('id')
    .where('nhs_number', '=', nhsNumber)
    .where('merged_into', 'is', null);
  if (exceptId) query = query.where('id', '!=', exceptId);
  if (await query.executeTakeFirst())
    errors.add(
      'nhsNumber',
      'Another person’s record already has this NHS number. Check the number, or search for that person',
    );
}

export type CreatePersonResult =
  | { readonly outcome: 'created'; readonly id: string; readonly isChild: boolean }
  | { readonly outcome: 'duplicates'; readonly candidates: readonly DuplicateCandidate[] };

/**
 * Adds a child, an unborn child or an adult. Nothing is saved unless every field is right. Unless the
 * practitioner has already seen them (`duplicatesChecked`), people who may be the same person are
 * offered first. The new record is allocated to the creator's team.
 */
export async function createPerson(
  deps: Deps,
  actor: Actor,
  input: { values: PersonFormValues; duplicatesChecked: boolean; requestId: string },
): Promise<CreatePersonResult> {
  if (!can(actor, 'person', 'create')) throw new ForbiddenError();
  if (!canCreatePeople(actor)) throw new ForbiddenError('You need to be in a team to add people');
  const checked = checkPersonForm(input.values, isoToday(deps.clock.now()));
  const errors = 'errors' in checked ? checked.errors : new ErrorList();
  const details = 'details' in checked ? checked.details : undefined;
  await checkNhsNumberFree(deps.db, errors, details?.nhs_number ?? null);
  if (!details || !errors.empty) throw sortedPersonErrors(errors);
  if (!input.duplicatesChecked) {
    const candidates = await likelyDuplicates(
      deps,
      actor,
      {
        givenName: details.given_name,
        familyName: details.family_name,
        dateOfBirth: details.date_of_birth,
        nhsNumber: details.nhs_number,
      },
      input.requestId,
    );
    if (candidates.length > 0) return { outcome: 'duplicates', candidates };
  }
  const id = await deps.db.transaction().execute(async (trx) => {
    // Checked again inside the transaction: someone may have used the number meanwhile.
    const again = new ErrorList();
    await checkNhsNumberFree(trx, again, details.nhs_number);
    again.throwIfAny();
    return insertPerson(trx, deps, actor, details, input.requestId, 'form');
  });
  return { outcome: 'created', id, isChild: details.is_child };
}

const PERSON_DETAIL_COLUMNS = [
  'id',
  'is_child',
  'given_name',
  'family_name',
  'preferred_name',
  'date_of_birth',
  'expected_date_of_birth',
  'sex',
  'gender_identity',
  'pronouns',
  'ethnicity',
  'first_language',
  'interpreter_needed',
  'religion',
  'disabilities',
  'immigration_status',
  'uasc',
  'date_of_death',
  'nhs_number',
  'upn',
  'upn_unknown_reason',
  'consistent_child_id',
  'consistent_child_id_missing_reason',
  'council_person_id',
  'version',
] as const;

/**
 * The edit form for a person: their details as the form shows them, and the version the change
 * will be made against. Opening it is a view of the record, audited like the person page.
 */
export async function getPersonForEdit(
  deps: Deps,
  actor: Actor,
  personId: string,
  context: ViewContext,
): Promise<{ person: PersonRecord; values: PersonFormValues; version: number }> {
  const person = await viewPerson(deps, actor, personId, context);
  await requireWritable(deps.db, deps, actor, personId);
  const row = await deps.db
    .selectFrom('people')
    .select(PERSON_DETAIL_COLUMNS)
    .where('id', '=', personId)
    .executeTakeFirstOrThrow();
  return { person, values: formFromPerson(row), version: row.version };
}

/**
 * Changes a person's details against the version the practitioner started from. A stale version is a
 * conflict: nothing is overwritten. A changed name keeps the old one as a previous name.
 */
export async function updatePerson(
  deps: Deps,
  actor: Actor,
  personId: string,
  input: { values: PersonFormValues; version: number; requestId: string },
): Promise<{ isChild: boolean }> {
  const today = isoToday(deps.clock.now());
  const current = await requireWritable(deps.db, deps, actor, personId);
  if (current.version !== input.version) throw new ConflictError();
  const checked = checkPersonForm(input.values, today);
  const errors = 'errors' in checked ? checked.errors : new ErrorList();
  const details = 'details' in checked ? checked.details : undefined;
  await checkNhsNumberFree(deps.db, errors, details?.nhs_number ?? null, personId);
  if (!details || !errors.empty) throw sortedPersonErrors(errors);
  await deps.db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('people')
      .select(PERSON_DETAIL_COLUMNS)
      .where('id', '=', personId)
      .executeTakeFirstOrThrow();
    const again = new ErrorList();
    await checkNhsNumberFree(trx, again, details.nhs_number, personId);
    if (!again.empty) throw sortedPersonErrors(again);
    const result = await trx
      .updateTable('people')
      .set({ ...details, version: input.version + 1, updated_at: deps.clock.now() })
      .where('id', '=', personId)
      .where('version', '=', input.version)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new ConflictError();
    const changed = (Object.keys(details) as (keyof PersonDetails)[]).filter(
      (key) => JSON.stringify(details[key]) !== JSON.stringify(before[key]),
    );
    if (before.given_name !== details.given_name || before.family_name !== details.family_name) {
      await trx
        .insertInto('person_names')
        .values({
          person_id: personId,
          kind: 'previous',
          given_name: before.given_name,
          family_name: before.family_name,
          used_until: today,
        })
        .execute();
    }
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'person.updated',
      entityType: 'person',
      entityId: personId,
      detail: { fields: changed, version: input.version + 1 },
      requestId: input.requestId,
    });
  });
  return { isChild: details.is_child };
}

// ---------------------------------------------------------------------------------------------
// Previous names
// ---------------------------------------------------------------------------------------------

export const NAME_KINDS = {
  previous: 'Previous name',
  birth: 'Name at birth',
  alias: 'Also known as',
} as const;

export type NameFormValues = {
  readonly kind: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly usedUntil: DateParts;
};

export function readNameForm(source: FormSource): NameFormValues {
  return {
    kind: source.get('kind'),
    givenName: source.get('givenName'),
    familyName: source.get('familyName'),
    usedUntil: readDateParts(source, 'usedUntil'),
  };
}

/** Records a previous name, a name at birth or another name the person is known by. */
export async function addPersonName(
  deps: Deps,
  actor: Actor,
  personId: string,
  input: { values: NameFormValues; requestId: string },
): Promise<WritablePerson> {
  const person = await requireWritable(deps.db, deps, actor, personId);
  const errors = new ErrorList();
  const { values } = input;
  if (!isKey(NAME_KINDS, values.kind)) errors.add('kind', 'Select what kind of name this is');
  const givenName = requiredText(errors, 'givenName', 'First name', 'Enter the first name', values.givenName);
  const familyName = requiredText(
    errors,
    'familyName',
    'Last name',
    'Enter the last name',
    values.familyName,
  );
  const usedUntil =
    parseDate(errors, 'usedUntil', 'Date they stopped using this name', values.usedUntil) ?? null;
  if (usedUntil && usedUntil > isoToday(deps.clock.now())) {
    errors.addDate('usedUntil', 'Date they stopped using this name must be today or in the past', [
      'day',
      'month',
      'year',
    ]);
  }
  errors.throwIfAny();
  await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('person_names')
      .values({
        person_id: personId,
        kind: values.kind as keyof typeof NAME_KINDS,
        given_name: givenName,
        family_name: familyName,
        used_until: usedUntil,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'person.name_added',
      entityType: 'person',
      entityId: personId,
      detail: { nameId: row.id, kind: values.kind },
      requestId: input.requestId,
    });
  });
  return person;
}

/** Removes a name recorded in error. */
export async function removePersonName(
  deps: Deps,
  actor: Actor,
  personId: string,
  nameId: string,
  requestId: string,
): Promise<WritablePerson> {
  const person = await requireWritable(deps.db, deps, actor, personId);
  if (!isUuid(nameId)) throw new NotFoundError();
  await deps.db.transaction().execute(async (trx) => {
    const result = await trx
      .deleteFrom('person_names')
      .where('id', '=', nameId)
      .where('person_id', '=', personId)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) !== 1) throw new NotFoundError();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'person.name_removed',
      entityType: 'person',
      entityId: personId,
      detail: { nameId },
      requestId,
    });
  });
  return person;
}

// ---------------------------------------------------------------------------------------------
// The person page
// ---------------------------------------------------------------------------------------------

export type PersonPage = {
  readonly person: PersonRecord;
  /** Set when the actor may see only the name (a restricted record). */
  readonly restricted: { readonly category: string } | undefined;
  readonly details: (PersonDetails & { readonly version: number }) | undefined;
  readonly canWrite: boolean;
  readonly names: readonly {
    id: string;
    kind: string;
    givenName: string;
    familyName: string;
    usedUntil: string | null;
  }[];
  readonly addresses: readonly AddressView[];
  readonly household: readonly HouseholdMember[];
  readonly relationships: readonly RelationshipView[];
  readonly professionals: readonly ProfessionalView[];
};

/**
 * Everything on a person's page. viewPerson checks scope and writes the one `person.view` audit row;
 * the rest is read afterwards for a person already known to be in scope.
 */
export async function personPage(
  deps: Deps,
  actor: Actor,
  personId: string,
  context: ViewContext,
): Promise<PersonPage> {
  if (!UUID.test(personId)) throw new NotFoundError();
  // One read decides scope (read, write, break-glass), restriction and the details; the view is
  // audited (and committed) before any section is read.
  const row = await scopedPerson(deps, actor, personId)
    .select((eb) => [
      ...PERSON_DETAIL_COLUMNS.map((column) => `people.${column}` as const),
      eb.case().when(restrictedFrom(actor, deps.clock)(eb)).then(true).else(false).end().as('restricted'),
      eb
        .selectFrom('person_restrictions as r')
        .select('r.category')
        .whereRef('r.person_id', '=', 'people.id')
        .where('r.ended_at', 'is', null)
        .orderBy('r.created_at')
        .limit(1)
        .as('restriction_category'),
      eb
        .case()
        .when(
          eb.and([
            eb('people.merged_into', 'is', null),
            personInScope(actor, 'write', deps.clock)(eb),
            eb.not(restrictedFrom(actor, deps.clock)(eb)),
          ]),
        )
        .then(true)
        .else(false)
        .end()
        .as('can_write'),
    ])
    .executeTakeFirst();
  const person = await auditedView(deps, actor, personId, context, row);
  const empty = {
    details: undefined,
    canWrite: false,
    names: [],
    addresses: [],
    household: [],
    relationships: [],
    professionals: [],
  };
  if (!row) throw new NotFoundError(); // (auditedView has already refused it)
  if (row.restricted)
    return {
      person,
      restricted: { category: row.restriction_category ?? 'high_profile' },
      ...empty,
    };
  const details = Object.fromEntries(
    PERSON_DETAIL_COLUMNS.map((column) => [column, row[column]]),
  ) as PersonDetails & { readonly version: number };
  const today = isoToday(deps.clock.now());
  // The sections in one query, each as JSON (dates stay ISO strings, as the drivers give them).
  const sections = await deps.db
    .selectNoFrom((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom('person_names')
          .select(['id', 'kind', 'given_name', 'family_name', 'used_until'])
          .where('person_id', '=', personId)
          .orderBy('used_until', 'desc')
          .orderBy('created_at', 'desc'),
      ).as('names'),
      jsonArrayFrom(addressesQuery(eb, personId)).as('addresses'),
      jsonArrayFrom(relationshipsQuery(eb, actor, deps.clock, personId)).as('relationships'),
      jsonArrayFrom(professionalsQuery(eb, personId)).as('professionals'),
      jsonArrayFrom(householdQuery(eb, deps, actor, personId, today)).as('household'),
    ])
    .executeTakeFirstOrThrow();
  const names = sections.names;
  const addresses = toAddressViews(sections.addresses, today);
  const relationships = toRelationshipViews(sections.relationships, personId, today);
  const professionals = toProfessionalViews(sections.professionals, today);
  const household = toHousehold(sections.household);
  return {
    person,
    restricted: undefined,
    details,
    canWrite: row.can_write,
    names: names.map((n) => ({
      id: n.id,
      kind: n.kind,
      givenName: n.given_name,
      familyName: n.family_name,
      usedUntil: n.used_until,
    })),
    addresses,
    household,
    relationships,
    professionals,
  };
}

/** People the actor may pick from (the relationship form): everyone in scope but this person. */
export async function listPeopleToRelate(
  deps: Deps,
  actor: Actor,
  exceptId: string,
): Promise<PersonSummary[]> {
  const people = await listPeopleInScope(deps, actor, 2000, { who: 'everyone' });
  return people.filter((p) => p.id !== exceptId);
}
