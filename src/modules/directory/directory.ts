import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type SqlBool,
  type Transaction,
} from 'kysely';
import type { Database } from '../../db/database.ts';
import { CATEGORY_TAXONOMY, DAYS, type DayCode } from './codes.ts';
import type { ServiceStatus } from './directory.table.ts';
import { gridToLatLong, normalisePostcode } from './grid.ts';
import {
  derivedId,
  type OrukAttribute,
  type OrukLocation,
  type OrukService,
  type OrukServiceAtLocationFull,
  type OrukTaxonomy,
  type OrukTaxonomyTerm,
} from './openreferral.ts';

/**
 * The local services directory: one writer (a fully nested Open Referral UK service, whether made
 * in Hearth, seeded for the demo or read from another directory's feed), one search (the filters of
 * the Open Referral UK API and of the staff search page), and one reader that builds the published
 * objects. The directory holds public information about services, never about children.
 */

type Executor = Kysely<Database> | Transaction<Database>;

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/** The centroid of a postcode from the shipped postcodes table, if it is there. */
export async function postcodeCentroid(
  db: Executor,
  postcode: string,
): Promise<{ postcode: string; easting: number; northing: number } | undefined> {
  const normalised = normalisePostcode(postcode);
  if (!normalised) return undefined;
  const row = await db
    .selectFrom('postcodes')
    .select(['postcode', 'easting', 'northing'])
    .where('postcode', '=', normalised)
    .executeTakeFirst();
  if (row?.easting == null || row.northing == null) return undefined;
  return { postcode: row.postcode, easting: row.easting, northing: row.northing };
}

async function saveTaxonomy(trx: Executor, taxonomy: OrukTaxonomy, source: string | null): Promise<void> {
  await trx
    .insertInto('directory_taxonomies')
    .values({
      id: taxonomy.id,
      name: taxonomy.name,
      description: taxonomy.description,
      uri: taxonomy.uri,
      version: taxonomy.version,
      source,
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        name: taxonomy.name,
        description: taxonomy.description,
        uri: taxonomy.uri,
        version: taxonomy.version,
      }),
    )
    .execute();
}

async function saveTerm(trx: Executor, term: OrukTaxonomyTerm, source: string | null): Promise<void> {
  await saveTaxonomy(trx, term.taxonomy_detail, source);
  await trx
    .insertInto('directory_taxonomy_terms')
    .values({
      id: term.id,
      taxonomy_id: term.taxonomy_id,
      code: term.code,
      name: term.name,
      description: term.description,
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({ code: term.code, name: term.name, description: term.description }),
    )
    .execute();
}

async function saveLocation(trx: Executor, location: OrukLocation): Promise<void> {
  const address = location.addresses[0];
  const postcode = address ? (normalisePostcode(address.postal_code) ?? address.postal_code.trim()) : '';
  const centroid = await postcodeCentroid(trx, postcode);
  // The feed's own coordinates win; a location without them takes its postcode's centroid.
  const fromGrid = centroid ? gridToLatLong(centroid.easting, centroid.northing) : undefined;
  const values = {
    name: location.name,
    address_1: address?.address_1 ?? '',
    city: address?.city ?? '',
    postal_code: postcode,
    latitude: location.latitude ?? fromGrid?.latitude ?? null,
    longitude: location.longitude ?? fromGrid?.longitude ?? null,
    easting: centroid?.easting ?? null,
    northing: centroid?.northing ?? null,
  };
  await trx
    .insertInto('directory_locations')
    .values({ id: location.id, ...values })
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .execute();
}

/**
 * Saves a fully nested service (its organization, locations, taxonomy terms, and its own schedules,
 * languages and links, which are replaced). `source` is the feed it came from (null: Hearth's own).
 */
export async function saveService(trx: Executor, service: OrukService, source: string | null): Promise<void> {
  const org = service.organization;
  const orgValues = { name: org.name, description: org.description, email: org.email, website: org.website };
  await trx
    .insertInto('directory_organizations')
    .values({ id: org.id, ...orgValues, source })
    .onConflict((oc) => oc.column('id').doUpdateSet(orgValues))
    .execute();
  const values = {
    organization_id: org.id,
    name: service.name,
    description: service.description,
    url: service.url,
    email: service.email,
    status: service.status,
    minimum_age: service.minimum_age,
    maximum_age: service.maximum_age,
    last_modified: service.last_modified,
  };
  await trx
    .insertInto('directory_services')
    .values({ id: service.id, ...values, source })
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .execute();
  for (const table of [
    'directory_schedules',
    'directory_service_languages',
    'directory_service_terms',
    'directory_service_at_locations',
  ] as const) {
    await trx.deleteFrom(table).where('service_id', '=', service.id).execute();
  }
  for (const sal of service.service_at_locations) {
    await saveLocation(trx, sal.location);
    await trx
      .insertInto('directory_service_at_locations')
      .values({ id: sal.id, service_id: service.id, location_id: sal.location.id })
      .execute();
  }
  if (service.schedules.length > 0) {
    await trx
      .insertInto('directory_schedules')
      .values(
        service.schedules.map((s) => ({
          id: s.id,
          service_id: service.id,
          freq: s.freq,
          byday: s.byday,
          opens_at: s.opens_at,
          closes_at: s.closes_at,
          description: s.description,
        })),
      )
      .execute();
  }
  if (service.languages.length > 0) {
    await trx
      .insertInto('directory_service_languages')
      .values(
        service.languages.map((l) => ({ id: l.id, service_id: service.id, name: l.name, code: l.code })),
      )
      .execute();
  }
  for (const attribute of service.attributes) {
    await saveTerm(trx, attribute.taxonomy_term, source);
    await trx
      .insertInto('directory_service_terms')
      .values({ id: attribute.id, service_id: service.id, taxonomy_term_id: attribute.taxonomy_term_id })
      .execute();
  }
}

// ---------------------------------------------------------------------------------------------
// Searching
// ---------------------------------------------------------------------------------------------

export type DirectoryFilters = {
  /** Words in the service's or its organization's name or description. */
  readonly text?: string | undefined;
  readonly taxonomyTermId?: string | undefined;
  readonly taxonomyId?: string | undefined;
  /** Open Referral: services whose own minimum age is at least this. */
  readonly minimumAge?: number | undefined;
  /** Open Referral: services whose own maximum age is at most this. */
  readonly maximumAge?: number | undefined;
  /** Services a child of this age (in whole years) can use. */
  readonly childAge?: number | undefined;
  readonly day?: DayCode | undefined;
  /** Open Referral: a schedule starting at or after this time (HH:MM). */
  readonly startTime?: string | undefined;
  /** Open Referral: a schedule ending at or before this time (HH:MM). */
  readonly endTime?: string | undefined;
  /** Open at this time (HH:MM), on `day` when given. */
  readonly openAt?: string | undefined;
  /** ISO 639-1 code or the language's name. */
  readonly language?: string | undefined;
  /** Straight-line distance from this postcode's centroid (grid metres). */
  readonly near?: { readonly easting: number; readonly northing: number } | undefined;
  readonly withinMetres?: number | undefined;
  readonly status?: ServiceStatus | undefined;
  /** Open Referral: services of this organization. */
  readonly organizationId?: string | undefined;
  /** Open Referral: services changed at or after this moment. */
  readonly modifiedAfter?: Date | undefined;
};

export type SearchHit = { readonly id: string; readonly distanceMetres: number | null };

function conditions(
  eb: ExpressionBuilder<Database, 'directory_services'>,
  f: DirectoryFilters,
): Expression<SqlBool>[] {
  const list: Expression<SqlBool>[] = [];
  if (f.status) list.push(eb('directory_services.status', '=', f.status));
  if (f.organizationId) list.push(eb('directory_services.organization_id', '=', f.organizationId));
  if (f.modifiedAfter) list.push(eb('directory_services.last_modified', '>=', f.modifiedAfter));
  if (f.text?.trim()) {
    const pattern = `%${f.text.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    list.push(
      eb.or([
        eb('directory_services.name', 'ilike', pattern),
        eb('directory_services.description', 'ilike', pattern),
        eb.exists(
          eb
            .selectFrom('directory_organizations as o')
            .select(sql.lit(1).as('one'))
            .whereRef('o.id', '=', 'directory_services.organization_id')
            .where('o.name', 'ilike', pattern),
        ),
      ]),
    );
  }
  if (f.taxonomyTermId) {
    list.push(
      eb.exists(
        eb
          .selectFrom('directory_service_terms as st')
          .select(sql.lit(1).as('one'))
          .whereRef('st.service_id', '=', 'directory_services.id')
          .where('st.taxonomy_term_id', '=', f.taxonomyTermId),
      ),
    );
  }
  if (f.taxonomyId) {
    list.push(
      eb.exists(
        eb
          .selectFrom('directory_service_terms as st')
          .innerJoin('directory_taxonomy_terms as t', 't.id', 'st.taxonomy_term_id')
          .select(sql.lit(1).as('one'))
          .whereRef('st.service_id', '=', 'directory_services.id')
          .where('t.taxonomy_id', '=', f.taxonomyId),
      ),
    );
  }
  if (f.minimumAge !== undefined) list.push(eb('directory_services.minimum_age', '>=', f.minimumAge));
  if (f.maximumAge !== undefined) list.push(eb('directory_services.maximum_age', '<=', f.maximumAge));
  if (f.childAge !== undefined) {
    const age = f.childAge;
    list.push(
      eb.and([
        eb.or([
          eb('directory_services.minimum_age', 'is', null),
          eb('directory_services.minimum_age', '<=', age),
        ]),
        eb.or([
          eb('directory_services.maximum_age', 'is', null),
          eb('directory_services.maximum_age', '>=', age),
        ]),
      ]),
    );
  }
  if (f.day || f.startTime || f.endTime || f.openAt) {
    let schedule = eb
      .selectFrom('directory_schedules as s')
      .select(sql.lit(1).as('one'))
      .whereRef('s.service_id', '=', 'directory_services.id');
    if (f.day) schedule = schedule.where(sql<SqlBool>`(',' || s.byday || ',') LIKE ${`%,${f.day},%`}`);
    if (f.startTime) schedule = schedule.where('s.opens_at', '>=', f.startTime);
    if (f.endTime) schedule = schedule.where('s.closes_at', '<=', f.endTime);
    if (f.openAt) schedule = schedule.where('s.opens_at', '<=', f.openAt).where('s.closes_at', '>', f.openAt);
    list.push(eb.exists(schedule));
  }
  if (f.language?.trim()) {
    const language = f.language.trim().toLowerCase();
    list.push(
      eb.exists(
        eb
          .selectFrom('directory_service_languages as l')
          .select(sql.lit(1).as('one'))
          .whereRef('l.service_id', '=', 'directory_services.id')
          .where((w) => w.or([w('l.code', '=', language), w(sql`lower(l.name)`, '=', language)])),
      ),
    );
  }
  return list;
}

/**
 * One page of services matching the filters: nearest first when a point is given (services with no
 * located site last), otherwise by name. Distances are straight lines between postcode centroids.
 */
export async function searchServices(
  db: Executor,
  filters: DirectoryFilters,
  paging: { page: number; perPage: number },
): Promise<{ total: number; hits: SearchHit[] }> {
  const near = filters.near;
  const distance = near
    ? sql<
        number | null
      >`(SELECT min(sqrt(power(loc.easting - ${near.easting}, 2) + power(loc.northing - ${near.northing}, 2)))
        FROM directory_service_at_locations sal JOIN directory_locations loc ON loc.id = sal.location_id
        WHERE sal.service_id = directory_services.id AND loc.easting IS NOT NULL)`
    : sql<number | null>`NULL::double precision`;
  const base = db
    .selectFrom('directory_services')
    .select(['directory_services.id', 'directory_services.name', distance.as('distance')])
    .where((eb) => eb.and(conditions(eb, filters)));
  let query = db.selectFrom(base.as('matched')).selectAll();
  if (near && filters.withinMetres !== undefined) {
    query = query.where('matched.distance', '<=', filters.withinMetres);
  }
  const counted = await db
    .selectFrom(query.as('counted'))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const rows = await query
    .orderBy('matched.distance', (ob) => ob.asc().nullsLast())
    .orderBy('matched.name')
    .orderBy('matched.id')
    .limit(paging.perPage)
    .offset((paging.page - 1) * paging.perPage)
    .execute();
  return {
    total: Number(counted.n),
    hits: rows.map((r) => ({ id: r.id, distanceMetres: r.distance })),
  };
}

/**
 * One page of service-at-location links whose service matches the filters. Distance (and the
 * `withinMetres` limit) is measured to each link's own location, so a service with two sites
 * appears once for each site in range, nearest first; otherwise by service name, then site.
 */
export async function searchServiceAtLocations(
  db: Executor,
  filters: DirectoryFilters,
  paging: { page: number; perPage: number },
): Promise<{ total: number; hits: SearchHit[] }> {
  const near = filters.near;
  const distance = near
    ? sql<number | null>`CASE WHEN l.easting IS NULL OR l.northing IS NULL THEN NULL
        ELSE sqrt(power(l.easting - ${near.easting}, 2) + power(l.northing - ${near.northing}, 2)) END`
    : sql<number | null>`NULL::double precision`;
  const matching = db
    .selectFrom('directory_services')
    .select('directory_services.id')
    .where((eb) => eb.and(conditions(eb, filters)));
  const base = db
    .selectFrom('directory_service_at_locations as sal')
    .innerJoin('directory_services as s', 's.id', 'sal.service_id')
    .innerJoin('directory_locations as l', 'l.id', 'sal.location_id')
    .select(['sal.id', 's.name', 'l.name as location_name', distance.as('distance')])
    .where('sal.service_id', 'in', matching);
  let query = db.selectFrom(base.as('matched')).selectAll();
  if (near && filters.withinMetres !== undefined) {
    query = query.where('matched.distance', '<=', filters.withinMetres);
  }
  const counted = await db
    .selectFrom(query.as('counted'))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const rows = await query
    .orderBy('matched.distance', (ob) => ob.asc().nullsLast())
    .orderBy('matched.name')
    .orderBy('matched.location_name')
    .orderBy('matched.id')
    .limit(paging.perPage)
    .offset((paging.page - 1) * paging.perPage)
    .execute();
  return {
    total: Number(counted.n),
    hits: rows.map((r) => ({ id: r.id, distanceMetres: r.distance })),
  };
}

/**
 * Service-at-location objects in the order of `ids` (ids not found are left out): the link with its
 * location and address, and the fully nested service it belongs to.
 */
export async function loadServiceAtLocations(
  db: Executor,
  ids: readonly string[],
): Promise<OrukServiceAtLocationFull[]> {
  if (ids.length === 0) return [];
  const links = await db
    .selectFrom('directory_service_at_locations')
    .select(['id', 'service_id'])
    .where('id', 'in', [...ids])
    .execute();
  const services = await loadServices(db, [...new Set(links.map((l) => l.service_id))]);
  const byService = new Map(services.map((s) => [s.id, s]));
  return ids.flatMap((id) => {
    const link = links.find((l) => l.id === id);
    const service = link ? byService.get(link.service_id) : undefined;
    const sal = service?.service_at_locations.find((x) => x.id === id);
    if (!service || !sal) return [];
    return [{ ...sal, service }];
  });
}

// ---------------------------------------------------------------------------------------------
// Reading: the published objects
// ---------------------------------------------------------------------------------------------

function taxonomyOf(row: {
  id: string;
  name: string;
  description: string;
  uri: string | null;
  version: string | null;
}): OrukTaxonomy {
  return { id: row.id, name: row.name, description: row.description, uri: row.uri, version: row.version };
}

/** Fully nested services, in the order of `ids` (ids not found are left out). */
export async function loadServices(db: Executor, ids: readonly string[]): Promise<OrukService[]> {
  if (ids.length === 0) return [];
  const list = [...ids];
  const [services, schedules, sals, languages, terms] = await Promise.all([
    db
      .selectFrom('directory_services as s')
      .innerJoin('directory_organizations as o', 'o.id', 's.organization_id')
      .select([
        's.id',
        's.organization_id',
        's.name',
        's.description',
        's.url',
        's.email',
        's.status',
        's.minimum_age',
        's.maximum_age',
        's.last_modified',
        'o.name as org_name',
        'o.description as org_description',
        'o.email as org_email',
        'o.website as org_website',
      ])
      .where('s.id', 'in', list)
      .execute(),
    db.selectFrom('directory_schedules').selectAll().where('service_id', 'in', list).orderBy('id').execute(),
    db
      .selectFrom('directory_service_at_locations as sal')
      .innerJoin('directory_locations as l', 'l.id', 'sal.location_id')
      .select([
        'sal.id',
        'sal.service_id',
        'sal.location_id',
        'l.name',
        'l.address_1',
        'l.city',
        'l.postal_code',
        'l.latitude',
        'l.longitude',
      ])
      .where('sal.service_id', 'in', list)
      .orderBy('sal.id')
      .execute(),
    db
      .selectFrom('directory_service_languages')
      .selectAll()
      .where('service_id', 'in', list)
      .orderBy('code')
      .execute(),
    db
      .selectFrom('directory_service_terms as st')
      .innerJoin('directory_taxonomy_terms as t', 't.id', 'st.taxonomy_term_id')
      .innerJoin('directory_taxonomies as x', 'x.id', 't.taxonomy_id')
      .select([
        'st.id',
        'st.service_id',
        'st.taxonomy_term_id',
        't.code',
        't.name',
        't.description',
        't.taxonomy_id',
        'x.name as taxonomy_name',
        'x.description as taxonomy_description',
        'x.uri as taxonomy_uri',
        'x.version as taxonomy_version',
      ])
      .where('st.service_id', 'in', list)
      .orderBy('st.id')
      .execute(),
  ]);
  const byId = new Map(
    services.map((s): [string, OrukService] => [
      s.id,
      {
        id: s.id,
        organization_id: s.organization_id,
        name: s.name,
        description: s.description,
        url: s.url,
        email: s.email,
        status: s.status,
        minimum_age: s.minimum_age,
        maximum_age: s.maximum_age,
        last_modified: new Date(s.last_modified).toISOString(),
        organization: {
          id: s.organization_id,
          name: s.org_name,
          description: s.org_description,
          email: s.org_email,
          website: s.org_website,
        },
        schedules: [],
        service_at_locations: [],
        languages: [],
        attributes: [],
      },
    ]),
  );
  for (const s of schedules) {
    byId.get(s.service_id)?.schedules.push({
      id: s.id,
      service_id: s.service_id,
      freq: s.freq,
      interval: 1,
      byday: s.byday,
      opens_at: s.opens_at,
      closes_at: s.closes_at,
      description: s.description,
    });
  }
  for (const sal of sals) {
    byId.get(sal.service_id)?.service_at_locations.push({
      id: sal.id,
      service_id: sal.service_id,
      location_id: sal.location_id,
      location: {
        id: sal.location_id,
        location_type: 'physical',
        name: sal.name,
        latitude: sal.latitude,
        longitude: sal.longitude,
        addresses: [
          {
            id: derivedId('address', sal.location_id),
            location_id: sal.location_id,
            address_1: sal.address_1,
            city: sal.city,
            state_province: 'England',
            postal_code: sal.postal_code,
            country: 'GB',
            address_type: 'physical',
          },
        ],
      },
    });
  }
  for (const l of languages) {
    byId
      .get(l.service_id)
      ?.languages.push({ id: l.id, service_id: l.service_id, name: l.name, code: l.code });
  }
  for (const t of terms) {
    const attribute: OrukAttribute = {
      id: t.id,
      link_id: t.service_id,
      link_type: 'service',
      link_entity: 'service',
      taxonomy_term_id: t.taxonomy_term_id,
      taxonomy_term: {
        id: t.taxonomy_term_id,
        code: t.code,
        name: t.name,
        description: t.description,
        taxonomy_id: t.taxonomy_id,
        taxonomy: t.taxonomy_name,
        taxonomy_detail: taxonomyOf({
          id: t.taxonomy_id,
          name: t.taxonomy_name,
          description: t.taxonomy_description,
          uri: t.taxonomy_uri,
          version: t.taxonomy_version,
        }),
      },
    };
    byId.get(t.service_id)?.attributes.push(attribute);
  }
  return list.flatMap((id) => {
    const service = byId.get(id);
    return service ? [service] : [];
  });
}

/** A page of taxonomies, by name. */
export async function listTaxonomies(
  db: Executor,
  paging: { page: number; perPage: number },
): Promise<{ total: number; taxonomies: OrukTaxonomy[] }> {
  const [count, rows] = await Promise.all([
    db
      .selectFrom('directory_taxonomies')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('directory_taxonomies')
      .selectAll()
      .orderBy('name')
      .orderBy('id')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
  ]);
  return { total: Number(count.n), taxonomies: rows.map(taxonomyOf) };
}

export async function findTaxonomy(db: Executor, id: string): Promise<OrukTaxonomy | undefined> {
  const row = await db.selectFrom('directory_taxonomies').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? taxonomyOf(row) : undefined;
}

const TERM_COLUMNS = [
  't.id',
  't.code',
  't.name',
  't.description',
  't.taxonomy_id',
  'x.name as taxonomy_name',
  'x.description as taxonomy_description',
  'x.uri as taxonomy_uri',
  'x.version as taxonomy_version',
] as const;

function termQuery(db: Executor) {
  return db
    .selectFrom('directory_taxonomy_terms as t')
    .innerJoin('directory_taxonomies as x', 'x.id', 't.taxonomy_id')
    .select(TERM_COLUMNS);
}

type TermRow = Awaited<ReturnType<ReturnType<typeof termQuery>['execute']>>[number];

function termOf(t: TermRow): OrukTaxonomyTerm {
  return {
    id: t.id,
    code: t.code,
    name: t.name,
    description: t.description,
    taxonomy_id: t.taxonomy_id,
    taxonomy: t.taxonomy_name,
    taxonomy_detail: taxonomyOf({
      id: t.taxonomy_id,
      name: t.taxonomy_name,
      description: t.taxonomy_description,
      uri: t.taxonomy_uri,
      version: t.taxonomy_version,
    }),
  };
}

/** A page of taxonomy terms (optionally of one taxonomy), by taxonomy then name. */
export async function listTaxonomyTerms(
  db: Executor,
  paging: { page: number; perPage: number },
  taxonomyId?: string,
): Promise<{ total: number; terms: OrukTaxonomyTerm[] }> {
  let count = db.selectFrom('directory_taxonomy_terms as t').select((eb) => eb.fn.countAll<string>().as('n'));
  let rows = termQuery(db);
  if (taxonomyId) {
    count = count.where('t.taxonomy_id', '=', taxonomyId);
    rows = rows.where('t.taxonomy_id', '=', taxonomyId);
  }
  const [n, list] = await Promise.all([
    count.executeTakeFirstOrThrow(),
    rows
      .orderBy('x.name')
      .orderBy('t.name')
      .orderBy('t.id')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
  ]);
  return { total: Number(n.n), terms: list.map(termOf) };
}

export async function findTaxonomyTerm(db: Executor, id: string): Promise<OrukTaxonomyTerm | undefined> {
  const row = await termQuery(db).where('t.id', '=', id).executeTakeFirst();
  return row ? termOf(row) : undefined;
}

/** The categories offered by the staff search: Hearth's own category terms. */
export async function categoryTerms(db: Executor): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('directory_taxonomy_terms')
    .select(['id', 'name'])
    .where('taxonomy_id', '=', CATEGORY_TAXONOMY.id)
    .orderBy('name')
    .execute();
}

/** "MO,WE" → "Monday and Wednesday". */
export function daysText(byday: string): string {
  const names = byday
    .split(',')
    .map((code) => DAYS[code as DayCode] as string | undefined)
    .filter((name): name is string => name !== undefined);
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] ?? ''}`;
}
