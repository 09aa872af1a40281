import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import { NotFoundError } from '../../platform/errors.ts';
import type { Actor } from '../access/actor.ts';
import { personInScope } from '../access/person-scope.ts';
import { normalisePostcode } from './identifiers.ts';
import {
  ErrorList,
  addDays,
  isoToday,
  optionalText,
  parseDate,
  partsFromIso,
  readDateParts,
  requiredText,
  sortErrors,
  EMPTY_DATE,
  type DateParts,
  type FormSource,
} from './person-form.ts';
import { lookupPostcode } from '../geography/geography.service.ts';
import { isUuid, requireWritable, type WritablePerson } from './person-write.ts';
import { restrictedFrom } from './restrictions.ts';

/**
 * Addresses over time. The neighbourhood (LSOA 2021) is looked up from the postcode when an address
 * is saved, so the person page can say how deprived the neighbourhood is.
 */

/** "Most deprived 10% of neighbourhoods in England" for IMD decile 1, and so on. */
export function deprivationText(decile: number): string {
  return decile <= 5
    ? `Most deprived ${decile * 10}% of neighbourhoods in England`
    : `Least deprived ${(11 - decile) * 10}% of neighbourhoods in England`;
}

export type AddressFormValues = {
  readonly line1: string;
  readonly line2: string;
  readonly town: string;
  readonly postcode: string;
  readonly startedOn: DateParts;
  readonly endedOn: DateParts;
  readonly hiddenFromFamily: string;
  /** "yes" to end the person's other current addresses the day before this one starts. */
  readonly endCurrent: string;
};

export const EMPTY_ADDRESS_FORM: AddressFormValues = {
  line1: '',
  line2: '',
  town: '',
  postcode: '',
  startedOn: EMPTY_DATE,
  endedOn: EMPTY_DATE,
  hiddenFromFamily: '',
  endCurrent: 'yes',
};

export function readAddressForm(source: FormSource): AddressFormValues {
  return {
    line1: source.get('line1'),
    line2: source.get('line2'),
    town: source.get('town'),
    postcode: source.get('postcode'),
    startedOn: readDateParts(source, 'startedOn'),
    endedOn: readDateParts(source, 'endedOn'),
    hiddenFromFamily: source.get('hiddenFromFamily'),
    endCurrent: source.get('endCurrent'),
  };
}

const ADDRESS_FIELD_ORDER = [
  'line1',
  'line2',
  'town',
  'postcode',
  'startedOn',
  'endedOn',
  'hiddenFromFamily',
];

type CheckedAddress = {
  line1: string;
  line2: string | null;
  town: string | null;
  postcode: string;
  lsoa21_code: string | null;
  started_on: string;
  ended_on: string | null;
  hidden_from_family: boolean;
};

async function checkAddress(deps: Deps, values: AddressFormValues): Promise<CheckedAddress> {
  const errors = new ErrorList();
  const today = isoToday(deps.clock.now());
  const line1 = requiredText(
    errors,
    'line1',
    'Address line 1',
    'Enter address line 1, typically the building and street',
    values.line1,
    200,
  );
  const line2 = optionalText(errors, 'line2', 'Address line 2', values.line2, 200);
  const town = optionalText(errors, 'town', 'Town or city', values.town, 100);
  let postcode: string | undefined;
  let lsoa: string | null = null;
  if (values.postcode.trim() === '') errors.add('postcode', 'Enter a postcode');
  else {
    postcode = normalisePostcode(values.postcode);
    if (postcode === undefined) errors.add('postcode', 'Enter a full UK postcode, like AL1 1AA');
    else {
      const found = await lookupPostcode(deps.db, postcode);
      if (found) lsoa = found.lsoa21Code;
      else if (await postcodesLoaded(deps)) errors.add('postcode', 'Enter a real postcode');
    }
  }
  const startedOn = parseDate(errors, 'startedOn', 'Date they started living here', values.startedOn, {
    required: 'Enter the date they started living here',
  });
  if (startedOn && startedOn > today) {
    errors.addDate('startedOn', 'Date they started living here must be today or in the past', [
      'day',
      'month',
      'year',
    ]);
  }
  const endedOn = parseDate(errors, 'endedOn', 'Date they stopped living here', values.endedOn) ?? null;
  if (startedOn && endedOn && endedOn < startedOn) {
    errors.addDate(
      'endedOn',
      'Date they stopped living here must be the same as or after the date they started',
      ['day', 'month', 'year'],
    );
  }
  if (!errors.empty || postcode === undefined || !startedOn) throw sortErrors(errors, ADDRESS_FIELD_ORDER);
  return {
    line1,
    line2,
    town,
    postcode,
    lsoa21_code: lsoa,
    started_on: startedOn,
    ended_on: endedOn,
    hidden_from_family: values.hiddenFromFamily === 'yes',
  };
}

/** Whether any postcodes are loaded: with none (a fresh install), an address keeps no neighbourhood. */
async function postcodesLoaded(deps: Deps): Promise<boolean> {
  return (await deps.db.selectFrom('postcodes').select('postcode').limit(1).executeTakeFirst()) !== undefined;
}

/** Adds an address. Optionally ends the person's current addresses the day before this one starts. */
export async function addAddress(
  deps: Deps,
  actor: Actor,
  personId: string,
  input: { values: AddressFormValues; requestId: string },
): Promise<WritablePerson> {
  const person = await requireWritable(deps.db, deps, actor, personId);
  const address = await checkAddress(deps, input.values);
  await deps.db.transaction().execute(async (trx) => {
    let ended: string[] = [];
    if (input.values.endCurrent === 'yes' && address.ended_on === null) {
      const dayBefore = addDays(address.started_on, -1);
      const open = await trx
        .selectFrom('person_addresses')
        .select(['id', 'started_on'])
        .where('person_id', '=', personId)
        .where('started_on', '<', address.started_on)
        .where((eb) => eb.or([eb('ended_on', 'is', null), eb('ended_on', '>=', address.started_on)]))
        .execute();
      for (const row of open) {
        await trx
          .updateTable('person_addresses')
          .set({ ended_on: dayBefore < row.started_on ? row.started_on : dayBefore })
          .where('id', '=', row.id)
          .execute();
      }
      ended = open.map((r) => r.id);
    }
    const row = await trx
      .insertInto('person_addresses')
      .values({ person_id: personId, ...address })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'person.address_added',
      entityType: 'person',
      entityId: personId,
      detail: {
        addressId: row.id,
        endedAddressIds: ended,
        neighbourhoodFound: address.lsoa21_code !== null,
        hiddenFromFamily: address.hidden_from_family,
      },
      requestId: input.requestId,
    });
  });
  return person;
}

/** One address of a person, as the change form shows it. */
export async function getAddressForm(
  deps: Deps,
  personId: string,
  addressId: string,
): Promise<AddressFormValues> {
  if (!isUuid(addressId)) throw new NotFoundError();
  const row = await deps.db
    .selectFrom('person_addresses')
    .selectAll()
    .where('id', '=', addressId)
    .where('person_id', '=', personId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError();
  return {
    line1: row.line1,
    line2: row.line2 ?? '',
    town: row.town ?? '',
    postcode: row.postcode,
    startedOn: partsFromIso(row.started_on),
    endedOn: partsFromIso(row.ended_on),
    hiddenFromFamily: row.hidden_from_family ? 'yes' : '',
    endCurrent: '',
  };
}

export async function updateAddress(
  deps: Deps,
  actor: Actor,
  personId: string,
  addressId: string,
  input: { values: AddressFormValues; requestId: string },
): Promise<WritablePerson> {
  const person = await requireWritable(deps.db, deps, actor, personId);
  if (!isUuid(addressId)) throw new NotFoundError();
  const address = await checkAddress(deps, input.values);
  await deps.db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('person_addresses')
      .set(address)
      .where('id', '=', addressId)
      .where('person_id', '=', personId)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new NotFoundError();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: 'person.address_updated',
      entityType: 'person',
      entityId: personId,
      detail: {
        addressId,
        neighbourhoodFound: address.lsoa21_code !== null,
        hiddenFromFamily: address.hidden_from_family,
      },
      requestId: input.requestId,
    });
  });
  return person;
}

export type AddressView = {
  readonly id: string;
  readonly line1: string;
  readonly line2: string | null;
  readonly town: string | null;
  readonly postcode: string;
  readonly startedOn: string;
  readonly endedOn: string | null;
  readonly hiddenFromFamily: boolean;
  readonly current: boolean;
  readonly neighbourhood: {
    readonly name: string;
    readonly laName: string;
    readonly imdDecile: number;
    readonly deprivation: string;
  } | null;
};

function isCurrent(startedOn: string, endedOn: string | null, today: string): boolean {
  return startedOn <= today && (endedOn === null || endedOn >= today);
}

/** A person's addresses, newest first, with the neighbourhood's deprivation. */
export async function listAddresses(deps: Deps, personId: string, today: string): Promise<AddressView[]> {
  return toAddressViews(await addressesQuery(deps.db, personId).execute(), today);
}

/** A person's addresses, newest first, with their neighbourhood (a query, alone or inside another). */
export function addressesQuery(source: QuerySource, personId: string) {
  return source
    .selectFrom('person_addresses as a')
    .leftJoin('lsoa21 as l', 'l.code', 'a.lsoa21_code')
    .select([
      'a.id',
      'a.line1',
      'a.line2',
      'a.town',
      'a.postcode',
      'a.started_on',
      'a.ended_on',
      'a.hidden_from_family',
      'l.name as lsoa_name',
      'l.la_name',
      'l.imd_decile',
    ])
    .where('a.person_id', '=', personId)
    .orderBy('a.started_on', 'desc')
    .orderBy('a.created_at', 'desc');
}

export function toAddressViews(
  rows: readonly {
    id: string;
    line1: string;
    line2: string | null;
    town: string | null;
    postcode: string;
    started_on: string;
    ended_on: string | null;
    hidden_from_family: boolean;
    lsoa_name: string | null;
    la_name: string | null;
    imd_decile: number | null;
  }[],
  today: string,
): AddressView[] {
  return rows.map((r) => ({
    id: r.id,
    line1: r.line1,
    line2: r.line2,
    town: r.town,
    postcode: r.postcode,
    startedOn: r.started_on,
    endedOn: r.ended_on,
    hiddenFromFamily: r.hidden_from_family,
    current: isCurrent(r.started_on, r.ended_on, today),
    neighbourhood:
      r.imd_decile !== null && r.lsoa_name !== null
        ? {
            name: r.lsoa_name,
            laName: r.la_name ?? '',
            imdDecile: r.imd_decile,
            deprivation: deprivationText(r.imd_decile),
          }
        : null,
  }));
}

/** Where a list is read from: the database, or an enclosing query (as a JSON subquery). */
export type QuerySource = Kysely<Database> | ExpressionBuilder<Database, never>;

export type HouseholdMember = {
  readonly id: string;
  readonly name: string;
  readonly dateOfBirth: string | null;
  readonly isChild: boolean;
};

/**
 * The household: other people (that this actor may see) whose current address is the same as one of
 * this person's current addresses: the same postcode and the same first line, ignoring case and spaces.
 */
export async function listHousehold(
  deps: Deps,
  actor: Actor,
  personId: string,
  today: string,
): Promise<HouseholdMember[]> {
  return toHousehold(await householdQuery(deps.db, deps, actor, personId, today).execute());
}

/** The people in scope living at the person's current addresses today (a query, alone or inside another). */
export function householdQuery(
  source: QuerySource,
  deps: Pick<Deps, 'clock'>,
  actor: Actor,
  personId: string,
  today: string,
) {
  const normalisedLine = (column: string) =>
    sql<string>`lower(regexp_replace(${sql.ref(column)}, '\\s+', '', 'g'))`;
  return source
    .selectFrom('person_addresses as mine')
    .innerJoin('person_addresses as theirs', (join) =>
      join
        .onRef('theirs.postcode', '=', 'mine.postcode')
        .onRef('theirs.person_id', '!=', 'mine.person_id')
        .on(normalisedLine('theirs.line1'), '=', normalisedLine('mine.line1')),
    )
    .innerJoin('people', 'people.id', 'theirs.person_id')
    .select((eb) => [
      'people.id',
      'people.given_name',
      'people.family_name',
      'people.date_of_birth',
      'people.is_child',
      eb.case().when(restrictedFrom(actor, deps.clock)(eb)).then(true).else(false).end().as('restricted'),
    ])
    .distinct()
    .where('mine.person_id', '=', personId)
    .where('mine.started_on', '<=', today)
    .where((eb) => eb.or([eb('mine.ended_on', 'is', null), eb('mine.ended_on', '>=', today)]))
    .where('theirs.started_on', '<=', today)
    .where((eb) => eb.or([eb('theirs.ended_on', 'is', null), eb('theirs.ended_on', '>=', today)]))
    .where('people.merged_into', 'is', null)
    .where(personInScope(actor, 'read', deps.clock))
    .orderBy('people.date_of_birth')
    .orderBy('people.id');
}

export function toHousehold(
  rows: readonly {
    id: string;
    given_name: string;
    family_name: string;
    date_of_birth: string | null;
    is_child: boolean;
    restricted: boolean;
  }[],
): HouseholdMember[] {
  // Of a restricted record, only the name is shown.
  return rows.map((r) => ({
    id: r.id,
    name: `${r.given_name} ${r.family_name}`,
    dateOfBirth: r.restricted ? null : r.date_of_birth,
    isChild: r.is_child,
  }));
}
