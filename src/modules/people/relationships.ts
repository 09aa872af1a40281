import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Deps } from '../../platform/deps.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { can, type Actor } from '../access/actor.ts';
import { personInScope } from '../access/person-scope.ts';
import {
  EMPTY_DATE,
  ErrorList,
  isKey,
  isoToday,
  optionalText,
  parseDate,
  partsFromIso,
  readDateParts,
  requiredText,
  sortErrors,
  type DateParts,
  type FormSource,
} from './person-form.ts';
import {
  creatorTeam,
  insertPerson,
  isUuid,
  likelyDuplicates,
  minimalAdult,
  requireWritable,
  type DuplicateCandidate,
  type WritablePerson,
} from './person-write.ts';
import type { QuerySource } from './addresses.ts';
import { restrictedFrom } from './restrictions.ts';

/**
 * Relationships between people. Each is stored once, its kind in the words of the migration
 * ("mother", "step-parent", "aunt or uncle", "friend of the family"), as "related person is <kind> of person"; the
 * other side is derived here, so if A is the mother of B, B's page shows A as Mother and A's page
 * shows B as Child.
 */
export const RELATIONSHIP_KINDS = {
  mother: { label: 'Mother', inverse: 'Child' },
  father: { label: 'Father', inverse: 'Child' },
  'step-parent': { label: 'Step-parent', inverse: 'Step-child' },
  "parent's partner": { label: 'Parent’s partner', inverse: 'Partner’s child' },
  sibling: { label: 'Sibling', inverse: 'Sibling' },
  'half-sibling': { label: 'Half-sibling', inverse: 'Half-sibling' },
  'step-sibling': { label: 'Step-sibling', inverse: 'Step-sibling' },
  grandparent: { label: 'Grandparent', inverse: 'Grandchild' },
  'aunt or uncle': { label: 'Aunt or uncle', inverse: 'Niece or nephew' },
  cousin: { label: 'Cousin', inverse: 'Cousin' },
  partner: { label: 'Partner', inverse: 'Partner' },
  'kinship carer': { label: 'Kinship carer', inverse: 'Child in their kinship care' },
  'foster carer': { label: 'Foster carer', inverse: 'Child in their foster care' },
  'former foster carer': { label: 'Former foster carer', inverse: 'Child formerly in their foster care' },
  'friend of the family': {
    label: 'Friend of the family',
    inverse: 'Child of a family they are friends with',
  },
  other: { label: 'Other', inverse: 'Other' },
} as const;

export type RelationshipKind = keyof typeof RELATIONSHIP_KINDS;

/** Kinds that say the related person is of an older generation than (or brought up) the person. */
const PARENT_KINDS: readonly RelationshipKind[] = [
  'mother',
  'father',
  'step-parent',
  "parent's partner",
  'grandparent',
];
/** Kinds that read the same both ways. */
const SYMMETRIC_KINDS: readonly RelationshipKind[] = [
  'sibling',
  'half-sibling',
  'step-sibling',
  'cousin',
  'partner',
];

export function isRelationshipKind(value: string): value is RelationshipKind {
  return isKey(RELATIONSHIP_KINDS, value);
}

/** How `kind` reads from either end: looking from the person (forward) or from the related person. */
export function relationshipLabel(kind: string, from: 'person' | 'related'): string {
  if (!isRelationshipKind(kind)) return 'Other';
  const entry = RELATIONSHIP_KINDS[kind];
  return from === 'person' ? entry.label : entry.inverse;
}

/**
 * The choices on the "add a relationship" form, read as "<other person> is this person's …". A
 * choice starting `of:` turns the relationship round: "this person is <other person>'s …", stored
 * with the two people swapped, so a parent's record can add their child.
 */
export function relationshipChoices(): { value: string; text: string }[] {
  const forward = Object.entries(RELATIONSHIP_KINDS).map(([value, entry]) => ({ value, text: entry.label }));
  const reverse = Object.entries(RELATIONSHIP_KINDS)
    .filter(([kind]) => !SYMMETRIC_KINDS.includes(kind as RelationshipKind) && kind !== 'other')
    .map(([value, entry]) => ({
      value: `of:${value}`,
      text: `${entry.inverse} (this person is their ${entry.label.toLowerCase()})`,
    }));
  return [...forward, ...reverse];
}

/** Splits a form choice into the stored kind and whether the two people are swapped. */
export function parseRelationshipChoice(
  value: string,
): { kind: RelationshipKind; reversed: boolean } | undefined {
  const reversed = value.startsWith('of:');
  const kind = reversed ? value.slice(3) : value;
  if (!isRelationshipKind(kind)) return undefined;
  if (reversed && (SYMMETRIC_KINDS.includes(kind) || kind === 'other')) return undefined;
  return { kind, reversed };
}

export type StoredRelationship = {
  readonly id: string;
  readonly person_id: string;
  readonly related_person_id: string;
  readonly kind: string;
  readonly ended_on: string | null;
};

/**
 * The problem with adding "related is <kind> of person" alongside the existing relationships of
 * either, in words for the form; undefined when there is none. `names` gives each person's name.
 */
export function relationshipConflict(
  proposed: { personId: string; relatedPersonId: string; kind: RelationshipKind; excludeId?: string },
  existing: readonly StoredRelationship[],
  names: { person: string; related: string },
): string | undefined {
  const { personId, relatedPersonId, kind } = proposed;
  if (personId === relatedPersonId) {
    return PARENT_KINDS.includes(kind)
      ? `A person cannot be their own ${RELATIONSHIP_KINDS[kind].label.toLowerCase()}`
      : 'A person cannot have a relationship with themselves';
  }
  const others = existing.filter((r) => r.id !== proposed.excludeId);
  const same = others.find(
    (r) =>
      (r.person_id === personId && r.related_person_id === relatedPersonId && r.kind === kind) ||
      (SYMMETRIC_KINDS.includes(kind) &&
        r.person_id === relatedPersonId &&
        r.related_person_id === personId &&
        r.kind === kind),
  );
  if (same) return `This relationship between ${names.related} and ${names.person} is already recorded`;
  if (PARENT_KINDS.includes(kind)) {
    const reverse = others.find(
      (r) =>
        r.person_id === relatedPersonId &&
        r.related_person_id === personId &&
        PARENT_KINDS.includes(r.kind as RelationshipKind),
    );
    if (reverse) {
      return `${names.related} cannot be both a parent and a child of ${names.person}: ${names.person} is already recorded as their ${relationshipLabel(reverse.kind, 'person').toLowerCase()}`;
    }
  }
  if (kind === 'mother') {
    const mother = others.find(
      (r) => r.person_id === personId && r.kind === 'mother' && r.related_person_id !== relatedPersonId,
    );
    if (mother)
      return `${names.person} already has a birth mother recorded. Choose ‘Step-parent’, ‘Parent’s partner’ or ‘Other’`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Service
// ---------------------------------------------------------------------------------------------

export type RelationshipFormValues = {
  /** A person's id, "new", or empty. */
  readonly relatedPersonId: string;
  readonly choice: string;
  readonly newGivenName: string;
  readonly newFamilyName: string;
  readonly newDateOfBirth: DateParts;
  readonly startedOn: DateParts;
  readonly endedOn: DateParts;
  readonly parentalResponsibility: string;
  readonly inFamilyNetwork: string;
  readonly networkNote: string;
  /** A duplicate offered for the new person: a person's id, or "new" to add them anyway. */
  readonly duplicateChoice: string;
};

/** The form: a person picked from a list (or "new", with their name), and how they are related. */
export function readRelationshipForm(source: FormSource): RelationshipFormValues {
  return {
    relatedPersonId: source.get('relatedPersonId'),
    choice: source.get('choice'),
    newGivenName: source.get('newGivenName'),
    newFamilyName: source.get('newFamilyName'),
    newDateOfBirth: readDateParts(source, 'newDateOfBirth'),
    startedOn: readDateParts(source, 'startedOn'),
    endedOn: readDateParts(source, 'endedOn'),
    parentalResponsibility: source.get('parentalResponsibility'),
    inFamilyNetwork: source.get('inFamilyNetwork'),
    networkNote: source.get('networkNote'),
    duplicateChoice: source.get('duplicateChoice'),
  };
}

export type RelationshipTerms = {
  readonly startedOn: string | null;
  readonly endedOn: string | null;
  readonly parentalResponsibility: boolean;
  readonly inFamilyNetwork: boolean;
  readonly networkNote: string | null;
};

/** Dates, parental responsibility and the family network: shared by adding and changing. */
export function checkRelationshipTerms(
  errors: ErrorList,
  values: RelationshipFormValues,
  today: string,
): RelationshipTerms {
  const startedOn = parseDate(errors, 'startedOn', 'Start date', values.startedOn) ?? null;
  const endedOn = parseDate(errors, 'endedOn', 'End date', values.endedOn) ?? null;
  if (startedOn && startedOn > today)
    errors.addDate('startedOn', 'Start date must be today or in the past', ['day', 'month', 'year']);
  if (startedOn && endedOn && endedOn < startedOn) {
    errors.addDate('endedOn', 'End date must be the same as or after the start date', [
      'day',
      'month',
      'year',
    ]);
  }
  const inFamilyNetwork = values.inFamilyNetwork === 'yes';
  const networkNote = optionalText(
    errors,
    'networkNote',
    'Note about the family network',
    values.networkNote,
    1000,
  );
  return {
    startedOn,
    endedOn,
    parentalResponsibility: values.parentalResponsibility === 'yes',
    inFamilyNetwork,
    networkNote,
  };
}

/** Checks the "someone new" part of the form: first and last name, optional date of birth. */
export function checkNewPerson(
  errors: ErrorList,
  values: RelationshipFormValues,
  today: string,
): { givenName: string; familyName: string; dateOfBirth: string | null } {
  const givenName = requiredText(
    errors,
    'newGivenName',
    'First name',
    'Enter their first name',
    values.newGivenName,
  );
  const familyName = requiredText(
    errors,
    'newFamilyName',
    'Last name',
    'Enter their last name',
    values.newFamilyName,
  );
  const dateOfBirth = parseDate(errors, 'newDateOfBirth', 'Date of birth', values.newDateOfBirth) ?? null;
  if (dateOfBirth && dateOfBirth > today)
    errors.addDate('newDateOfBirth', 'Date of birth must be today or in the past', ['day', 'month', 'year']);
  return { givenName, familyName, dateOfBirth };
}

/** Every relationship either person is part of, for the conflict checks. */
export async function relationshipsOf(
  db: Deps['db'] | Transaction<Database>,
  personIds: readonly string[],
): Promise<StoredRelationship[]> {
  if (personIds.length === 0) return [];
  return db
    .selectFrom('relationships')
    .select(['id', 'person_id', 'related_person_id', 'kind', 'ended_on'])
    .where((eb) => eb.or([eb('person_id', 'in', personIds), eb('related_person_id', 'in', personIds)]))
    .execute();
}

export type RelationshipView = {
  readonly id: string;
  readonly otherPersonId: string;
  readonly otherName: string;
  readonly otherIsChild: boolean;
  readonly otherDateOfBirth: string | null;
  /** Whether the actor may open the other person's record. */
  readonly otherVisible: boolean;
  /** What the other person is to this one: "Mother", "Child", "Sibling". */
  readonly label: string;
  readonly kind: string;
  /** True when the other person is the stored "related person" (the relationship reads forward). */
  readonly forward: boolean;
  readonly parentalResponsibility: boolean;
  /** Who holds parental responsibility, in words, when someone does. */
  readonly parentalResponsibilityText: string | null;
  readonly inFamilyNetwork: boolean;
  readonly networkNote: string | null;
  readonly startedOn: string | null;
  readonly endedOn: string | null;
  readonly current: boolean;
};

/** The relationships of one person, both those stored from their side and from the other side. */
export async function listRelationships(
  deps: Deps,
  actor: Actor,
  personId: string,
  today: string,
): Promise<RelationshipView[]> {
  const rows = await relationshipsQuery(deps.db, actor, deps.clock, personId).execute();
  return toRelationshipViews(rows, personId, today);
}

/**
 * The relationships of one person with the actor's view of the other person (in scope, restricted),
 * oldest first (a query, alone or inside another).
 */
export function relationshipsQuery(source: QuerySource, actor: Actor, clock: Clock, personId: string) {
  return (
    source
      .selectFrom('relationships as r')
      .innerJoin('people as p', 'p.id', 'r.person_id')
      .innerJoin('people as rp', 'rp.id', 'r.related_person_id')
      // The other person of each relationship, for the actor's view of them (scope and restriction).
      .innerJoin('people', (join) =>
        join.on(
          'people.id',
          '=',
          sql<string>`CASE WHEN r.person_id = ${personId} THEN r.related_person_id ELSE r.person_id END`,
        ),
      )
      .select((eb) => [
        eb
          .case()
          .when(personInScope(actor, 'read', clock)(eb))
          .then(true)
          .else(false)
          .end()
          .as('visible'),
        eb.case().when(restrictedFrom(actor, clock)(eb)).then(true).else(false).end().as('restricted'),
        'r.id',
        'r.person_id',
        'r.related_person_id',
        'r.kind',
        'r.parental_responsibility',
        'r.in_family_network',
        'r.network_note',
        'r.started_on',
        'r.ended_on',
        'p.given_name as p_given',
        'p.family_name as p_family',
        'p.is_child as p_child',
        'p.date_of_birth as p_dob',
        'rp.given_name as rp_given',
        'rp.family_name as rp_family',
        'rp.is_child as rp_child',
        'rp.date_of_birth as rp_dob',
      ])
      .where((eb) => eb.or([eb('r.person_id', '=', personId), eb('r.related_person_id', '=', personId)]))
      .orderBy('r.created_at')
  );
}

export function toRelationshipViews(
  rows: readonly {
    id: string;
    person_id: string;
    related_person_id: string;
    kind: string;
    parental_responsibility: boolean;
    in_family_network: boolean;
    network_note: string | null;
    started_on: string | null;
    ended_on: string | null;
    p_given: string;
    p_family: string;
    p_child: boolean;
    p_dob: string | null;
    rp_given: string;
    rp_family: string;
    rp_child: boolean;
    rp_dob: string | null;
    visible: boolean;
    restricted: boolean;
  }[],
  personId: string,
  today: string,
): RelationshipView[] {
  return rows.map((r) => {
    const forward = r.person_id === personId;
    const otherName = forward ? `${r.rp_given} ${r.rp_family}` : `${r.p_given} ${r.p_family}`;
    const thisName = forward ? `${r.p_given} ${r.p_family}` : `${r.rp_given} ${r.rp_family}`;
    const otherPersonId = forward ? r.related_person_id : r.person_id;
    return {
      id: r.id,
      otherPersonId,
      otherName,
      otherIsChild: forward ? r.rp_child : r.p_child,
      // Of a restricted record, only the name is shown.
      otherDateOfBirth: r.restricted ? null : forward ? r.rp_dob : r.p_dob,
      otherVisible: r.visible,
      label: relationshipLabel(r.kind, forward ? 'person' : 'related'),
      kind: r.kind,
      forward,
      parentalResponsibility: r.parental_responsibility,
      parentalResponsibilityText: r.parental_responsibility
        ? forward
          ? `${otherName} has parental responsibility`
          : `${thisName} has parental responsibility for them`
        : null,
      inFamilyNetwork: r.in_family_network,
      networkNote: r.network_note,
      startedOn: r.started_on,
      endedOn: r.ended_on,
      current:
        (r.ended_on === null || r.ended_on >= today) && (r.started_on === null || r.started_on <= today),
    };
  });
}

/** One relationship of a person, for the change page. */
export async function getRelationship(
  deps: Deps,
  personId: string,
  relationshipId: string,
): Promise<StoredRelationship & RelationshipTerms> {
  if (!/^[0-9a-f-]{36}$/i.test(relationshipId)) throw new NotFoundError();
  const row = await deps.db
    .selectFrom('relationships')
    .selectAll()
    .where('id', '=', relationshipId)
    .where((eb) => eb.or([eb('person_id', '=', personId), eb('related_person_id', '=', personId)]))
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return {
    id: row.id,
    person_id: row.person_id,
    related_person_id: row.related_person_id,
    kind: row.kind,
    ended_on: row.ended_on,
    startedOn: row.started_on,
    endedOn: row.ended_on,
    parentalResponsibility: row.parental_responsibility,
    inFamilyNetwork: row.in_family_network,
    networkNote: row.network_note,
  };
}

/** Audits a relationship change against both people, so it shows in each record's history. */
export async function auditRelationship(
  trx: Transaction<Database>,
  actor: Actor,
  action: string,
  relationship: { id: string; personId: string; relatedPersonId: string; kind: string },
  requestId: string,
  detail: Record<string, unknown> = {},
): Promise<void> {
  await recordAudit(
    trx,
    ...[relationship.personId, relationship.relatedPersonId].map((entityId) => ({
      actorUserId: actor.userId,
      action,
      entityType: 'person',
      entityId,
      detail: { relationshipId: relationship.id, kind: relationship.kind, ...detail },
      requestId,
    })),
  );
}

export type AddRelationshipResult =
  | { readonly outcome: 'added'; readonly person: WritablePerson }
  | { readonly outcome: 'duplicates'; readonly candidates: readonly DuplicateCandidate[] };

const FIELD_ORDER = [
  'relatedPersonId',
  'newGivenName',
  'newFamilyName',
  'newDateOfBirth',
  'duplicateChoice',
  'choice',
  'startedOn',
  'endedOn',
  'networkNote',
];

/**
 * Adds a relationship between this person and someone the actor can see, or someone new (an adult,
 * created with the relationship and allocated to the creator's team). Conflicting relationships are
 * field errors: nobody is their own parent, nobody is both parent and child of the same person, and
 * nobody has two birth mothers.
 */
export async function addRelationship(
  deps: Deps,
  actor: Actor,
  personId: string,
  input: { values: RelationshipFormValues; requestId: string },
): Promise<AddRelationshipResult> {
  const person = await requireWritable(deps.db, deps, actor, personId);
  const { values } = input;
  const today = isoToday(deps.clock.now());
  const errors = new ErrorList();

  let relatedId: string | undefined;
  let relatedName = '';
  let newPerson: { givenName: string; familyName: string; dateOfBirth: string | null } | undefined;
  const pickKnown = async (id: string, field: string) => {
    const row = isUuid(id)
      ? await deps.db
          .selectFrom('people')
          .select(['id', 'given_name', 'family_name'])
          .where('id', '=', id)
          .where('merged_into', 'is', null)
          .where(personInScope(actor, 'read', deps.clock))
          .executeTakeFirst()
      : undefined;
    if (!row) errors.add(field, 'Select a person from the list');
    else {
      relatedId = row.id;
      relatedName = `${row.given_name} ${row.family_name}`;
    }
  };
  if (values.relatedPersonId === 'new') {
    if (!can(actor, 'person', 'create') || creatorTeam(actor) === undefined) {
      errors.add('relatedPersonId', 'You cannot add new people. Select someone from the list');
    } else if (values.duplicateChoice !== '' && values.duplicateChoice !== 'new') {
      await pickKnown(values.duplicateChoice, 'duplicateChoice');
    } else {
      newPerson = checkNewPerson(errors, values, today);
      relatedName = `${newPerson.givenName} ${newPerson.familyName}`;
    }
  } else if (values.relatedPersonId === '') errors.add('relatedPersonId', 'Select who they are related to');
  else await pickKnown(values.relatedPersonId, 'relatedPersonId');

  const parsed = parseRelationshipChoice(values.choice);
  if (!parsed) errors.add('choice', 'Select how they are related');
  const terms = checkRelationshipTerms(errors, values, today);

  if (parsed && (relatedId !== undefined || newPerson !== undefined)) {
    const otherId = relatedId ?? 'a new person';
    const stored = parsed.reversed
      ? { personId: otherId, relatedPersonId: personId, names: { person: relatedName, related: person.name } }
      : { personId, relatedPersonId: otherId, names: { person: person.name, related: relatedName } };
    const existing = await relationshipsOf(deps.db, relatedId ? [personId, relatedId] : [personId]);
    const conflict = relationshipConflict(
      { personId: stored.personId, relatedPersonId: stored.relatedPersonId, kind: parsed.kind },
      existing,
      stored.names,
    );
    if (conflict) errors.add(relatedId === personId ? 'relatedPersonId' : 'choice', conflict);
  }
  if (!errors.empty || !parsed) throw sortErrors(errors, FIELD_ORDER);

  if (newPerson && values.duplicateChoice !== 'new') {
    const candidates = await likelyDuplicates(
      deps,
      actor,
      { ...newPerson, nhsNumber: null },
      input.requestId,
    );
    if (candidates.length > 0) return { outcome: 'duplicates', candidates };
  }

  await deps.db.transaction().execute(async (trx) => {
    const otherId = newPerson
      ? await insertPerson(
          trx,
          deps,
          actor,
          minimalAdult(newPerson.givenName, newPerson.familyName, newPerson.dateOfBirth),
          input.requestId,
          'relationship',
        )
      : (relatedId ?? '');
    const [storedPerson, storedRelated] = parsed.reversed ? [otherId, personId] : [personId, otherId];
    const row = await trx
      .insertInto('relationships')
      .values({
        person_id: storedPerson,
        related_person_id: storedRelated,
        kind: parsed.kind,
        parental_responsibility: terms.parentalResponsibility,
        in_family_network: terms.inFamilyNetwork,
        network_note: terms.networkNote,
        started_on: terms.startedOn,
        ended_on: terms.endedOn,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await auditRelationship(
      trx,
      actor,
      'relationship.added',
      { id: row.id, personId: storedPerson, relatedPersonId: storedRelated, kind: parsed.kind },
      input.requestId,
      {
        parentalResponsibility: terms.parentalResponsibility,
        inFamilyNetwork: terms.inFamilyNetwork,
      },
    );
  });
  return { outcome: 'added', person };
}

/** Changes a relationship's dates, parental responsibility and place in the family network. */
export async function updateRelationship(
  deps: Deps,
  actor: Actor,
  personId: string,
  relationshipId: string,
  input: { values: RelationshipFormValues; requestId: string },
): Promise<WritablePerson> {
  const person = await requireWritable(deps.db, deps, actor, personId);
  const existing = await getRelationship(deps, personId, relationshipId);
  const errors = new ErrorList();
  const terms = checkRelationshipTerms(errors, input.values, isoToday(deps.clock.now()));
  if (!errors.empty) throw sortErrors(errors, FIELD_ORDER);
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('relationships')
      .set({
        parental_responsibility: terms.parentalResponsibility,
        in_family_network: terms.inFamilyNetwork,
        network_note: terms.networkNote,
        started_on: terms.startedOn,
        ended_on: terms.endedOn,
      })
      .where('id', '=', existing.id)
      .execute();
    await auditRelationship(
      trx,
      actor,
      'relationship.updated',
      {
        id: existing.id,
        personId: existing.person_id,
        relatedPersonId: existing.related_person_id,
        kind: existing.kind,
      },
      input.requestId,
      {
        parentalResponsibility: terms.parentalResponsibility,
        inFamilyNetwork: terms.inFamilyNetwork,
        ended: terms.endedOn !== null,
      },
    );
  });
  return person;
}

/** Removes a relationship recorded in error (one that has ended keeps an end date instead). */
export async function removeRelationship(
  deps: Deps,
  actor: Actor,
  personId: string,
  relationshipId: string,
  requestId: string,
): Promise<WritablePerson> {
  const person = await requireWritable(deps.db, deps, actor, personId);
  const existing = await getRelationship(deps, personId, relationshipId);
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('relationships').where('id', '=', existing.id).execute();
    await auditRelationship(
      trx,
      actor,
      'relationship.removed',
      {
        id: existing.id,
        personId: existing.person_id,
        relatedPersonId: existing.related_person_id,
        kind: existing.kind,
      },
      requestId,
    );
  });
  return person;
}

/** A relationship's terms as the change form shows them. */
export function relationshipFormFrom(terms: RelationshipTerms): RelationshipFormValues {
  return {
    relatedPersonId: '',
    choice: '',
    newGivenName: '',
    newFamilyName: '',
    newDateOfBirth: EMPTY_DATE,
    startedOn: partsFromIso(terms.startedOn),
    endedOn: partsFromIso(terms.endedOn),
    parentalResponsibility: terms.parentalResponsibility ? 'yes' : '',
    inFamilyNetwork: terms.inFamilyNetwork ? 'yes' : '',
    networkNote: terms.networkNote ?? '',
    duplicateChoice: '',
  };
}
