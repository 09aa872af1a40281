import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import { NotFoundError } from '../../platform/errors.ts';
import type { Actor } from '../access/actor.ts';
import {
  ErrorList,
  EMPTY_DATE,
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
import type { QuerySource } from './addresses.ts';
import { isUuid, requireWritable, type WritablePerson } from './person-write.ts';

/** Professionals involved with a child or adult: their school, GP, health visitor, and so on. */
export const PROFESSIONAL_ROLES = {
  school: 'School',
  gp: 'GP',
  health_visitor: 'Health visitor',
  school_nurse: 'School nurse',
  camhs: 'Children and young people’s mental health services (CAMHS)',
  youth_worker: 'Youth worker',
  other: 'Other',
} as const;

export type ProfessionalFormValues = {
  readonly role: string;
  readonly name: string;
  readonly organisation: string;
  readonly phone: string;
  readonly email: string;
  readonly startedOn: DateParts;
  readonly endedOn: DateParts;
};

export const EMPTY_PROFESSIONAL_FORM: ProfessionalFormValues = {
  role: '',
  name: '',
  organisation: '',
  phone: '',
  email: '',
  startedOn: EMPTY_DATE,
  endedOn: EMPTY_DATE,
};

export function readProfessionalForm(source: FormSource): ProfessionalFormValues {
  return {
    role: source.get('role'),
    name: source.get('name'),
    organisation: source.get('organisation'),
    phone: source.get('phone'),
    email: source.get('email'),
    startedOn: readDateParts(source, 'startedOn'),
    endedOn: readDateParts(source, 'endedOn'),
  };
}

const FIELD_ORDER = ['role', 'name', 'organisation', 'phone', 'email', 'startedOn', 'endedOn'];

type CheckedProfessional = {
  role: string;
  name: string;
  organisation: string | null;
  phone: string | null;
  email: string | null;
  started_on: string | null;
  ended_on: string | null;
};

function checkProfessional(values: ProfessionalFormValues, today: string): CheckedProfessional {
  const errors = new ErrorList();
  if (!isKey(PROFESSIONAL_ROLES, values.role)) errors.add('role', 'Select their role');
  const name = requiredText(
    errors,
    'name',
    'Name',
    'Enter their name, or the name of the service',
    values.name,
    200,
  );
  const organisation = optionalText(errors, 'organisation', 'Organisation', values.organisation, 200);
  const phone = optionalText(errors, 'phone', 'Phone number', values.phone, 30);
  if (phone && !/^[+\d][\d\s()-]{5,}$/.test(phone))
    errors.add('phone', 'Enter a phone number, like 01632 960 001 or +44 808 157 0192');
  const email = optionalText(errors, 'email', 'Email address', values.email, 254);
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    errors.add('email', 'Enter an email address in the correct format, like name@example.com');
  const startedOn = parseDate(errors, 'startedOn', 'Date they became involved', values.startedOn) ?? null;
  if (startedOn && startedOn > today) {
    errors.addDate('startedOn', 'Date they became involved must be today or in the past', [
      'day',
      'month',
      'year',
    ]);
  }
  const endedOn = parseDate(errors, 'endedOn', 'Date their involvement ended', values.endedOn) ?? null;
  if (startedOn && endedOn && endedOn < startedOn) {
    errors.addDate(
      'endedOn',
      'Date their involvement ended must be the same as or after the date they became involved',
      ['day', 'month', 'year'],
    );
  }
  if (!errors.empty) throw sortErrors(errors, FIELD_ORDER);
  return { role: values.role, name, organisation, phone, email, started_on: startedOn, ended_on: endedOn };
}

export async function addProfessional(
  deps: Deps,
  actor: Actor,
  personId: string,
  input: { values: ProfessionalFormValues; requestId: string },
): Promise<WritablePerson> {
  const person = await requireWritable(deps.db, deps, actor, personId);
  const checked = checkProfessional(input.values, isoToday(deps.clock.now()));
  await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('professionals_involved')
      .values({ person_id: personId, ...checked })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'person.professional_added',
      entityType: 'person',
      entityId: personId,
      detail: { professionalId: row.id, role: checked.role },
      requestId: input.requestId,
    });
  });
  return person;
}

export async function getProfessionalForm(
  deps: Deps,
  personId: string,
  professionalId: string,
): Promise<ProfessionalFormValues> {
  if (!isUuid(professionalId)) throw new NotFoundError();
  const row = await deps.db
    .selectFrom('professionals_involved')
    .selectAll()
    .where('id', '=', professionalId)
    .where('person_id', '=', personId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return {
    role: row.role,
    name: row.name,
    organisation: row.organisation ?? '',
    phone: row.phone ?? '',
    email: row.email ?? '',
    startedOn: partsFromIso(row.started_on),
    endedOn: partsFromIso(row.ended_on),
  };
}

export async function updateProfessional(
  deps: Deps,
  actor: Actor,
  personId: string,
  professionalId: string,
  input: { values: ProfessionalFormValues; requestId: string },
): Promise<WritablePerson> {
  const person = await requireWritable(deps.db, deps, actor, personId);
  if (!isUuid(professionalId)) throw new NotFoundError();
  const checked = checkProfessional(input.values, isoToday(deps.clock.now()));
  await deps.db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('professionals_involved')
      .set(checked)
      .where('id', '=', professionalId)
      .where('person_id', '=', personId)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new NotFoundError();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'person.professional_updated',
      entityType: 'person',
      entityId: personId,
      detail: { professionalId, role: checked.role },
      requestId: input.requestId,
    });
  });
  return person;
}

/** Removes a professional recorded in error (one whose involvement ended keeps an end date instead). */
export async function removeProfessional(
  deps: Deps,
  actor: Actor,
  personId: string,
  professionalId: string,
  requestId: string,
): Promise<WritablePerson> {
  const person = await requireWritable(deps.db, deps, actor, personId);
  if (!isUuid(professionalId)) throw new NotFoundError();
  await deps.db.transaction().execute(async (trx) => {
    const result = await trx
      .deleteFrom('professionals_involved')
      .where('id', '=', professionalId)
      .where('person_id', '=', personId)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) !== 1) throw new NotFoundError();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'person.professional_removed',
      entityType: 'person',
      entityId: personId,
      detail: { professionalId },
      requestId,
    });
  });
  return person;
}

export type ProfessionalView = {
  readonly id: string;
  readonly role: string;
  readonly roleLabel: string;
  readonly name: string;
  readonly organisation: string | null;
  readonly phone: string | null;
  readonly email: string | null;
  readonly startedOn: string | null;
  readonly endedOn: string | null;
  readonly current: boolean;
};

/** Professionals involved, current ones first. */
export async function listProfessionals(
  deps: Deps,
  personId: string,
  today: string,
): Promise<ProfessionalView[]> {
  return toProfessionalViews(await professionalsQuery(deps.db, personId).execute(), today);
}

/** The professionals involved with a person, newest first (a query, alone or inside another). */
export function professionalsQuery(source: QuerySource, personId: string) {
  return source
    .selectFrom('professionals_involved')
    .select(['id', 'role', 'name', 'organisation', 'phone', 'email', 'started_on', 'ended_on'])
    .where('person_id', '=', personId)
    .orderBy('started_on', 'desc')
    .orderBy('created_at', 'desc');
}

/** The current ones first. */
export function toProfessionalViews(
  rows: readonly (CheckedProfessional & { id: string })[],
  today: string,
): ProfessionalView[] {
  const views = rows.map((r) => ({
    id: r.id,
    role: r.role,
    roleLabel: isKey(PROFESSIONAL_ROLES, r.role) ? PROFESSIONAL_ROLES[r.role] : r.role,
    name: r.name,
    organisation: r.organisation,
    phone: r.phone,
    email: r.email,
    startedOn: r.started_on,
    endedOn: r.ended_on,
    current: r.ended_on === null || r.ended_on >= today,
  }));
  return [...views.filter((v) => v.current), ...views.filter((v) => !v.current)];
}
