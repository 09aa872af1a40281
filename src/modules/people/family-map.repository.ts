import { sql, type RawBuilder } from 'kysely';
import type { Deps } from '../../platform/deps.ts';
import type { Actor } from '../access/actor.ts';
import type { FamilyMapInput, MapPerson, MapProfessional, MapRelationship, Sex } from './genogram.ts';
import type { PersonRecord } from './people.service.ts';
import { restrictedFromViewer } from './restrictions.ts';

/** The family map shows at most this many people, nearest to the child first. */
export const FAMILY_MAP_MAX_PEOPLE = 60;
/** Relationships followed out from the child: parents (1), grandparents (2), a cousin's parent's … (3). */
const MAX_STEPS = 3;

export type FamilyMapData = FamilyMapInput & {
  readonly professionals: readonly MapProfessional[];
  /** People connected within the steps followed but left out to keep the map readable. */
  readonly notShown: number;
};

/**
 * An address (of the table or alias `address`) that is not at the postcode of one of its person's
 * placements kept from the birth family: the map never puts a child in a household by a hidden
 * placement address.
 */
function notAtHiddenPlacement(address: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`NOT EXISTS (
    SELECT 1 FROM placements pl JOIN care_periods cp ON cp.id = pl.care_period_id
    WHERE cp.person_id = ${address}.person_id AND pl.address_hidden_from_family
      AND upper(replace(pl.postcode, ' ', '')) = upper(replace(${address}.postcode, ' ', '')))`;
}

const ISO_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/**
 * Reads the people around a child for the genogram and ecomap. Takes the record `viewPerson`
 * returned, so the scope check and the audited view have already happened for the child. Relatives
 * are shown as part of the child's record; a restricted relative shows only their name (no dates, no
 * sex, no household).
 */
export async function readFamilyMap(deps: Deps, actor: Actor, child: PersonRecord): Promise<FamilyMapData> {
  const today = ISO_DAY.format(deps.clock.now());
  const restricted = restrictedFromViewer(actor);
  const ids = new Set<string>([child.id]);
  const leftOut = new Set<string>();

  /** People of this council, not merged away, in a stable order. */
  const eligible = async (candidates: readonly string[], unrestrictedOnly = false): Promise<string[]> => {
    if (candidates.length === 0) return [];
    let query = deps.db
      .selectFrom('people')
      .select('people.id')
      .where('people.id', 'in', candidates)
      .where('people.organisation_id', '=', actor.organisationId)
      .where('people.merged_into', 'is', null);
    if (unrestrictedOnly) query = query.where((eb) => eb.not(restricted(eb)));
    return (await query.orderBy('people.id').execute()).map((r) => r.id);
  };
  const admit = (candidates: readonly string[], next: string[]) => {
    for (const id of candidates) {
      if (ids.has(id)) continue;
      if (ids.size >= FAMILY_MAP_MAX_PEOPLE) leftOut.add(id);
      else {
        ids.add(id);
        next.push(id);
      }
    }
  };

  let frontier = [child.id];
  for (let step = 1; step <= MAX_STEPS && frontier.length > 0; step += 1) {
    const links = await deps.db
      .selectFrom('relationships')
      .select(['person_id', 'related_person_id'])
      .where((eb) => eb.or([eb('person_id', 'in', frontier), eb('related_person_id', 'in', frontier)]))
      .execute();
    const candidates = [...new Set(links.flatMap((l) => [l.person_id, l.related_person_id]))].filter(
      (id) => !ids.has(id),
    );
    const next: string[] = [];
    admit(await eligible(candidates), next);
    if (step === 1) {
      // Whoever lives with the child, related or not. Never a restricted person: that would say where they live.
      const household = await sql<{ person_id: string }>`
        SELECT DISTINCT other.person_id
        FROM person_addresses mine
        JOIN person_addresses other
          ON lower(trim(other.line1)) = lower(trim(mine.line1))
         AND upper(replace(other.postcode, ' ', '')) = upper(replace(mine.postcode, ' ', ''))
        WHERE mine.person_id = ${child.id} AND mine.ended_on IS NULL
          AND other.ended_on IS NULL AND other.person_id <> ${child.id}
          AND NOT mine.hidden_from_family AND NOT other.hidden_from_family
          AND ${notAtHiddenPlacement(sql`mine`)}`.execute(deps.db);
      const unrelated = household.rows.map((r) => r.person_id).filter((id) => !ids.has(id));
      admit(await eligible(unrelated, true), next);
    }
    frontier = next;
  }
  const idList = [...ids];

  const [peopleRows, relationshipRows, addressRows, professionalRows] = await Promise.all([
    deps.db
      .selectFrom('people')
      .select((eb) => {
        const hidden = restricted(eb);
        return [
          'people.id',
          'people.given_name',
          'people.family_name',
          sql<boolean>`${hidden}`.as('restricted'),
          sql<Sex | null>`CASE WHEN ${hidden} THEN NULL ELSE people.sex END`.as('sex'),
          sql<string | null>`CASE WHEN ${hidden} THEN NULL ELSE people.date_of_birth END`.as('date_of_birth'),
          sql<string | null>`CASE WHEN ${hidden} THEN NULL ELSE people.date_of_death END`.as('date_of_death'),
        ];
      })
      .where('people.id', 'in', idList)
      .execute(),
    deps.db
      .selectFrom('relationships')
      .select([
        'id',
        'person_id',
        'related_person_id',
        'kind',
        'parental_responsibility',
        'in_family_network',
        'started_on',
        'ended_on',
      ])
      .where('person_id', 'in', idList)
      .where('related_person_id', 'in', idList)
      .execute(),
    deps.db
      .selectFrom('person_addresses')
      .innerJoin('people', 'people.id', 'person_addresses.person_id')
      .select([
        'person_addresses.person_id',
        sql<string>`lower(trim(person_addresses.line1)) || '|' || upper(replace(person_addresses.postcode, ' ', ''))`.as(
          'address',
        ),
      ])
      .where('person_addresses.person_id', 'in', idList)
      .where('person_addresses.ended_on', 'is', null)
      .where('person_addresses.hidden_from_family', '=', false)
      .where(notAtHiddenPlacement(sql`person_addresses`))
      .where((eb) => eb.not(restricted(eb)))
      .execute(),
    deps.db
      .selectFrom('professionals_involved')
      .select(['id', 'role', 'name', 'organisation'])
      .where('person_id', '=', child.id)
      .where((eb) => eb.or([eb('ended_on', 'is', null), eb('ended_on', '>', today)]))
      .orderBy('role')
      .orderBy('name')
      .orderBy('id')
      .execute(),
  ]);

  const people: MapPerson[] = peopleRows.map((r) => ({
    id: r.id,
    givenName: r.given_name,
    familyName: r.family_name,
    sex: r.sex,
    dateOfBirth: r.date_of_birth,
    dateOfDeath: r.date_of_death,
    restricted: r.restricted,
  }));
  const relationships: MapRelationship[] = relationshipRows.map((r) => ({
    id: r.id,
    personId: r.person_id,
    relatedPersonId: r.related_person_id,
    kind: r.kind,
    parentalResponsibility: r.parental_responsibility,
    inFamilyNetwork: r.in_family_network,
    startedOn: r.started_on,
    endedOn: r.ended_on,
  }));
  const byAddress = new Map<string, Set<string>>();
  for (const row of addressRows)
    byAddress.set(row.address, (byAddress.get(row.address) ?? new Set()).add(row.person_id));
  const households = [...byAddress.values()]
    .filter((members) => members.size >= 2)
    .map((members) => [...members].sort());

  return {
    focusId: child.id,
    people,
    relationships,
    households,
    professionals: professionalRows.map((r) => ({
      id: r.id,
      role: r.role,
      name: r.name,
      organisation: r.organisation,
    })),
    today,
    notShown: leftOut.size,
  };
}
