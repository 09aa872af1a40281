import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DAYS } from '../../src/modules/directory/codes.ts';
import { demoServices, seedDemoDirectory } from '../../src/modules/directory/demo.ts';
import { saveService } from '../../src/modules/directory/directory.ts';
import { gridToLatLong, gridToOsgb36Degrees } from '../../src/modules/directory/grid.ts';
import { directoryCommand } from '../../src/modules/directory/directory.cli.ts';
import { importFeed } from '../../src/modules/directory/import.ts';
import {
  MAX_PER_PAGE,
  REQUIRED_FIELDS,
  derivedId,
  type OrukPage,
  type OrukService,
  type OrukServiceAtLocationFull,
  type OrukTaxonomy,
  type OrukTaxonomyTerm,
} from '../../src/modules/directory/openreferral.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { openTestDb, type TestDb } from '../support/db.ts';
import { loadTestGeography } from '../support/geography.ts';
import { testApp } from '../support/web.ts';
import { testClock, testDeps } from '../support/world.ts';

let handle: TestDb;
let deps: Deps;
let app: FastifyInstance;
const services = demoServices();

beforeAll(async () => {
  handle = await openTestDb();
  deps = testDeps(handle, { clock: testClock(new Date('2026-12-01T10:00:00Z')) });
  await loadTestGeography(handle);
  await seedDemoDirectory(deps.db);
  app = await testApp(deps);
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the JSON it expects
async function getJson<T>(url: string, target: FastifyInstance = app): Promise<{ status: number; body: T }> {
  const response = await target.inject({ method: 'GET', url });
  return { status: response.statusCode, body: response.json<T>() };
}

async function ids(query: string): Promise<string[]> {
  const { status, body } = await getJson<OrukPage<OrukService>>(
    `/openreferral/services?per_page=${MAX_PER_PAGE}&${query}`,
  );
  expect(status, JSON.stringify(body)).toBe(200);
  expect(body.total_items).toBe(body.contents.length);
  return body.contents.map((s) => s.id);
}

function expected(predicate: (s: OrukService) => boolean): string[] {
  return services
    .filter(predicate)
    .map((s) => s.id)
    .sort();
}

function hasFields(object: unknown, fields: readonly string[], what: string): void {
  expect(object, what).toBeTypeOf('object');
  for (const field of fields) {
    const value = (object as Record<string, unknown>)[field];
    expect(value, `${what}.${field}`).not.toBeUndefined();
    expect(value, `${what}.${field}`).not.toBeNull();
  }
}

function checkService(s: OrukService): void {
  hasFields(s, REQUIRED_FIELDS.service, `service ${s.id}`);
  hasFields(s.organization, REQUIRED_FIELDS.organization, 'organization');
  expect(s.organization.id).toBe(s.organization_id);
  expect(s.schedules.length).toBeGreaterThan(0);
  for (const x of s.schedules) hasFields(x, REQUIRED_FIELDS.schedule, 'schedule');
  expect(s.service_at_locations.length).toBeGreaterThan(0);
  for (const sal of s.service_at_locations) {
    hasFields(sal, REQUIRED_FIELDS.service_at_location, 'service_at_location');
    hasFields(sal.location, REQUIRED_FIELDS.location, 'location');
    expect(sal.location.addresses.length).toBe(1);
    for (const a of sal.location.addresses) hasFields(a, REQUIRED_FIELDS.address, 'address');
    // Every demo site is at a shipped postcode, so every location has coordinates in England.
    expect(sal.location.latitude).toBeGreaterThan(49.8);
    expect(sal.location.latitude).toBeLessThan(55.9);
    expect(sal.location.longitude).toBeGreaterThan(-6.5);
    expect(sal.location.longitude).toBeLessThan(1.8);
  }
  for (const l of s.languages) hasFields(l, REQUIRED_FIELDS.language, 'language');
  expect(s.attributes.length).toBeGreaterThan(0);
  for (const a of s.attributes) {
    hasFields(a, REQUIRED_FIELDS.attribute, 'attribute');
    expect(a.link_id).toBe(s.id);
    hasFields(a.taxonomy_term, REQUIRED_FIELDS.taxonomy_term, 'taxonomy_term');
    hasFields(a.taxonomy_term.taxonomy_detail, REQUIRED_FIELDS.taxonomy, 'taxonomy');
  }
}

describe('grid references to latitude and longitude', () => {
  it('matches the Ordnance Survey’s worked example on OSGB36, and moves about 100 m to WGS84', () => {
    // OS "A guide to coordinate systems in Great Britain", annex C: 651409.903 E, 313177.270 N is
    // 52° 39′ 27.2531″ N, 1° 43′ 4.5177″ E on OSGB36.
    const osgb = gridToOsgb36Degrees(651_409.903, 313_177.27);
    expect(osgb.latitude).toBeCloseTo(52 + 39 / 60 + 27.2531 / 3600, 6);
    expect(osgb.longitude).toBeCloseTo(1 + 43 / 60 + 4.5177 / 3600, 6);
    const wgs = gridToLatLong(651_409.903, 313_177.27);
    const dLat = (wgs.latitude - osgb.latitude) * 111_000;
    const dLon = (wgs.longitude - osgb.longitude) * 111_000 * Math.cos((osgb.latitude * Math.PI) / 180);
    const shift = Math.hypot(dLat, dLon);
    expect(shift).toBeGreaterThan(50);
    expect(shift).toBeLessThan(200);
  });
});

describe('the Open Referral UK endpoints', () => {
  it('are public JSON: no sign-in, and open to other sites', async () => {
    const response = await app.inject({ method: 'GET', url: '/openreferral/services' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    const root = await getJson<{ version: string }>('/openreferral/');
    expect(root.status).toBe(200);
    expect(root.body.version).toBe('3.0');
  });

  it('give every service with the profile’s required fields, for each nested object', async () => {
    const { body } = await getJson<OrukPage<OrukService>>(`/openreferral/services?per_page=${MAX_PER_PAGE}`);
    hasFields(body, REQUIRED_FIELDS.page, 'page');
    expect(body.total_items).toBe(services.length);
    expect(body.contents.map((s) => s.id).sort()).toEqual(expected(() => true));
    for (const s of body.contents) checkService(s);
    const one = body.contents[0];
    if (!one) throw new Error('no services');
    const single = await getJson<OrukService>(`/openreferral/services/${one.id}`);
    expect(single.status).toBe(200);
    expect(single.body).toEqual(one);
  });

  it('answer an unknown service or a garbled id with a JSON 404', async () => {
    for (const id of [derivedId('nothing'), 'not-an-id']) {
      const response = await app.inject({ method: 'GET', url: `/openreferral/services/${id}` });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: 'Not found' });
    }
  });

  it('page the services: totals, first and last pages, and an empty page beyond the end', async () => {
    const total = services.length;
    const perPage = 5;
    const pages = Math.ceil(total / perPage);
    const seen: string[] = [];
    for (let page = 1; page <= pages; page += 1) {
      const { body } = await getJson<OrukPage<OrukService>>(
        `/openreferral/services?page=${page}&per_page=${perPage}`,
      );
      expect(body.total_items).toBe(total);
      expect(body.total_pages).toBe(pages);
      expect(body.page_number).toBe(page);
      expect(body.first_page).toBe(page === 1);
      expect(body.last_page).toBe(page === pages);
      expect(body.size).toBe(page < pages ? perPage : total - perPage * (pages - 1));
      expect(body.contents.length).toBe(body.size);
      expect(body.empty).toBe(false);
      seen.push(...body.contents.map((s) => s.id));
    }
    expect(new Set(seen).size).toBe(total);
    const beyond = await getJson<OrukPage<OrukService>>(
      `/openreferral/services?page=${pages + 1}&per_page=${perPage}`,
    );
    expect(beyond.status).toBe(200);
    expect(beyond.body).toMatchObject({
      total_items: total,
      total_pages: pages,
      page_number: pages + 1,
      size: 0,
      empty: true,
      first_page: false,
      last_page: true,
      contents: [],
    });
  });

  it('refuse a page or page size that is not a whole number from 1', async () => {
    for (const query of ['page=0', 'page=-1', 'page=two', 'per_page=0', 'per_page=1.5']) {
      const response = await app.inject({ method: 'GET', url: `/openreferral/services?${query}` });
      expect(response.statusCode, query).toBe(400);
      expect(response.json<{ error: string }>().error).toMatch(/whole number/);
    }
  });

  it(`give at most ${MAX_PER_PAGE} services a page however many are asked for`, async () => {
    const extra = MAX_PER_PAGE + 3;
    const orgId = derivedId('paging-test-organization');
    await deps.db
      .insertInto('directory_organizations')
      .values({ id: orgId, name: 'Paging test', description: 'For the page size test' })
      .execute();
    const rows = Array.from({ length: extra }, (_, i) => ({
      id: derivedId('paging-test', String(i)),
      organization_id: orgId,
      name: `Paging test service ${String(i).padStart(3, '0')}`,
      description: 'For the page size test',
      url: 'https://example.org',
      status: 'inactive' as const,
    }));
    await deps.db.insertInto('directory_services').values(rows).execute();
    try {
      const total = services.length + extra;
      const { body } = await getJson<OrukPage<OrukService>>('/openreferral/services?per_page=100000');
      expect(body.total_items).toBe(total);
      expect(body.size).toBe(MAX_PER_PAGE);
      expect(body.total_pages).toBe(Math.ceil(total / MAX_PER_PAGE));
      expect(body.last_page).toBe(false);
    } finally {
      await deps.db.deleteFrom('directory_services').where('organization_id', '=', orgId).execute();
      await deps.db.deleteFrom('directory_organizations').where('id', '=', orgId).execute();
    }
  });

  it('filter by words, taxonomy term and taxonomy', async () => {
    expect((await ids('search=pantry')).sort()).toEqual(
      expected((s) => /pantry/i.test(`${s.name} ${s.description} ${s.organization.name}`)),
    );
    expect((await ids('text=YOUTH')).sort()).toEqual(
      expected((s) => /youth/i.test(`${s.name} ${s.description} ${s.organization.name}`)),
    );
    const foodBank = '3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b62';
    const food = await ids(`taxonomy_term_id=${foodBank}`);
    expect(food.length).toBeGreaterThan(0);
    expect(food.sort()).toEqual(expected((s) => s.attributes.some((a) => a.taxonomy_term_id === foodBank)));
    // A second taxonomy, used by one service only.
    const tagged = services[0];
    if (!tagged) throw new Error('no services');
    const otherTaxonomy = derivedId('test-taxonomy');
    const term: OrukTaxonomyTerm = {
      id: derivedId('test-term'),
      code: 'free',
      name: 'Free of charge',
      description: '',
      taxonomy_id: otherTaxonomy,
      taxonomy: 'Test costs',
      taxonomy_detail: {
        id: otherTaxonomy,
        name: 'Test costs',
        description: 'Costs',
        uri: null,
        version: null,
      },
    };
    await deps.db.transaction().execute((trx) =>
      saveService(
        trx,
        {
          ...tagged,
          attributes: [
            ...tagged.attributes,
            {
              id: derivedId('test-attribute'),
              link_id: tagged.id,
              link_type: 'service',
              link_entity: 'service',
              taxonomy_term_id: term.id,
              taxonomy_term: term,
            },
          ],
        },
        null,
      ),
    );
    try {
      expect(await ids(`taxonomy_id=${otherTaxonomy}`)).toEqual([tagged.id]);
      expect((await ids('taxonomy_id=3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b60')).length).toBe(services.length);
      const taxonomies = await getJson<OrukPage<OrukTaxonomy>>('/openreferral/taxonomies');
      expect(taxonomies.body.total_items).toBe(2);
      for (const t of taxonomies.body.contents) hasFields(t, REQUIRED_FIELDS.taxonomy, 'taxonomy');
      const terms = await getJson<OrukPage<OrukTaxonomyTerm>>('/openreferral/taxonomy_terms?per_page=3');
      expect(terms.body.total_items).toBe(7);
      expect(terms.body.total_pages).toBe(3);
      for (const t of terms.body.contents) hasFields(t, REQUIRED_FIELDS.taxonomy_term, 'taxonomy_term');
      const one = await getJson<OrukTaxonomy & { taxonomy_terms: OrukTaxonomyTerm[] }>(
        `/openreferral/taxonomies/${otherTaxonomy}`,
      );
      expect(one.body.taxonomy_terms.map((t) => t.id)).toEqual([term.id]);
      const single = await getJson<OrukTaxonomyTerm>(`/openreferral/taxonomy_terms/${term.id}`);
      expect(single.body).toEqual(term);
    } finally {
      await deps.db.transaction().execute((trx) => saveService(trx, tagged, null));
      await deps.db.deleteFrom('directory_taxonomy_terms').where('id', '=', term.id).execute();
      await deps.db.deleteFrom('directory_taxonomies').where('id', '=', otherTaxonomy).execute();
    }
  });

  it('filter by age: the profile’s minimum_age and maximum_age, and a child’s age', async () => {
    expect((await ids('minimum_age=11')).sort()).toEqual(
      expected((s) => s.minimum_age !== null && s.minimum_age >= 11),
    );
    expect((await ids('maximum_age=12')).sort()).toEqual(
      expected((s) => s.maximum_age !== null && s.maximum_age <= 12),
    );
    for (const age of [1, 8, 15, 20]) {
      const got = (await ids(`age=${age}`)).sort();
      expect(got, `age ${age}`).toEqual(
        expected((s) => (s.minimum_age ?? 0) <= age && (s.maximum_age ?? 200) >= age),
      );
    }
  });

  it('filter by day and time of the schedules, and by language', async () => {
    for (const day of Object.keys(DAYS)) {
      const got = (await ids(`day=${day}`)).sort();
      expect(got, day).toEqual(expected((s) => s.schedules.some((x) => x.byday.split(',').includes(day))));
    }
    expect((await ids('day=saturday')).length).toBeGreaterThan(0);
    expect((await ids('start_time=18:00')).sort()).toEqual(
      expected((s) => s.schedules.some((x) => x.opens_at >= '18:00')),
    );
    expect((await ids('end_time=15:00:00')).sort()).toEqual(
      expected((s) => s.schedules.some((x) => x.closes_at <= '15:00')),
    );
    expect((await ids('day=TU&start_time=17:00')).sort()).toEqual(
      expected((s) => s.schedules.some((x) => x.byday.includes('TU') && x.opens_at >= '17:00')),
    );
    expect((await ids('language=pl')).sort()).toEqual(
      expected((s) => s.languages.some((l) => l.code === 'pl')),
    );
    expect((await ids('language=Somali')).sort()).toEqual(
      expected((s) => s.languages.some((l) => l.name === 'Somali')),
    );
    const bad = await app.inject({ method: 'GET', url: '/openreferral/services?day=Funday' });
    expect(bad.statusCode).toBe(400);
  });

  it('filter by distance from a postcode, nearest first', async () => {
    const origin = await deps.db
      .selectFrom('postcodes')
      .select(['easting', 'northing'])
      .where('postcode', '=', 'SG1 1LQ')
      .executeTakeFirstOrThrow();
    const centroids = new Map(
      (await deps.db.selectFrom('postcodes').select(['postcode', 'easting', 'northing']).execute()).map(
        (p) => [p.postcode, p],
      ),
    );
    function metres(s: OrukService): number {
      return Math.min(
        ...s.service_at_locations.map((sal) => {
          const c = centroids.get(sal.location.addresses[0]?.postal_code ?? '');
          if (!c?.easting || !c.northing || !origin.easting || !origin.northing) return Infinity;
          return Math.hypot(c.easting - origin.easting, c.northing - origin.northing);
        }),
      );
    }
    const all = await ids('postcode=sg11lq');
    const distances = all.map((id) => metres(services.find((s) => s.id === id) as OrukService));
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(distances[0]).toBe(0);
    const within = await ids('postcode=SG1 1LQ&proximity=3000');
    expect(within.sort()).toEqual(expected((s) => metres(s) <= 3000));
    expect(within.length).toBeGreaterThan(0);
    expect(within.length).toBeLessThan(services.length);
    const unknown = await app.inject({ method: 'GET', url: '/openreferral/services?postcode=ZZ99 9ZZ' });
    expect(unknown.statusCode).toBe(400);
  });
});

/** Every page of a list endpoint, checking the page object each time. */
async function allPages<T>(url: string, perPage: number): Promise<T[]> {
  const items: T[] = [];
  const joiner = url.includes('?') ? '&' : '?';
  for (let page = 1; ; page += 1) {
    const { status, body } = await getJson<OrukPage<T>>(`${url}${joiner}page=${page}&per_page=${perPage}`);
    expect(status, JSON.stringify(body)).toBe(200);
    hasFields(body, REQUIRED_FIELDS.page, 'page');
    expect(body.page_number).toBe(page);
    expect(body.size).toBe(body.contents.length);
    items.push(...body.contents);
    if (body.last_page) {
      expect(body.total_items).toBe(items.length);
      return items;
    }
  }
}

/** The demo's service-at-location links: one per site of each service. */
function expectedLinks(predicate: (s: OrukService) => boolean): string[] {
  return services
    .filter(predicate)
    .flatMap((s) => s.service_at_locations.map((sal) => sal.id))
    .sort();
}

async function linkIds(query: string): Promise<string[]> {
  const { status, body } = await getJson<OrukPage<OrukServiceAtLocationFull>>(
    `/openreferral/service_at_locations?per_page=${MAX_PER_PAGE}&${query}`,
  );
  expect(status, JSON.stringify(body)).toBe(200);
  expect(body.total_items).toBe(body.contents.length);
  return body.contents.map((x) => x.id);
}

describe('the Open Referral UK service_at_locations endpoints', () => {
  it('give each service at each site with the profile’s required fields, and one by its id', async () => {
    const links = await allPages<OrukServiceAtLocationFull>('/openreferral/service_at_locations', 4);
    expect(links.map((x) => x.id).sort()).toEqual(expectedLinks(() => true));
    expect(new Set(links.map((x) => x.id)).size).toBe(links.length);
    // Some demo service has more than one site, so links outnumber services.
    expect(links.length).toBeGreaterThan(services.length);
    for (const link of links) {
      hasFields(link, REQUIRED_FIELDS.service_at_location, 'service_at_location');
      hasFields(link, REQUIRED_FIELDS.published_service_at_location, 'service_at_location');
      hasFields(link.location, REQUIRED_FIELDS.location, 'location');
      expect(link.location.id).toBe(link.location_id);
      for (const a of link.location.addresses) hasFields(a, REQUIRED_FIELDS.address, 'address');
      expect(link.service.id).toBe(link.service_id);
      checkService(link.service);
      expect(link.service.service_at_locations.map((x) => x.id)).toContain(link.id);
    }
    const first = links[0];
    if (!first) throw new Error('no links');
    const single = await getJson<OrukServiceAtLocationFull>(`/openreferral/service_at_locations/${first.id}`);
    expect(single.status).toBe(200);
    expect(single.body).toEqual(first);
    for (const id of [derivedId('no such link'), 'not-an-id', first.service_id]) {
      const response = await app.inject({ method: 'GET', url: `/openreferral/service_at_locations/${id}` });
      expect(response.statusCode, id).toBe(404);
      expect(response.json()).toEqual({ error: 'Not found' });
    }
    const root = await getJson<{ service_at_locations_url: string }>('/openreferral/');
    expect(root.body.service_at_locations_url).toMatch(/\/openreferral\/service_at_locations$/);
  });

  it('page like /services: totals, first and last pages, an empty page beyond the end, and a bad page refused', async () => {
    const total = expectedLinks(() => true).length;
    const perPage = 3;
    const pages = Math.ceil(total / perPage);
    const first = await getJson<OrukPage<OrukServiceAtLocationFull>>(
      `/openreferral/service_at_locations?per_page=${perPage}`,
    );
    expect(first.body).toMatchObject({
      total_items: total,
      total_pages: pages,
      page_number: 1,
      size: perPage,
      first_page: true,
      last_page: false,
      empty: false,
    });
    const beyond = await getJson<OrukPage<OrukServiceAtLocationFull>>(
      `/openreferral/service_at_locations?page=${pages + 1}&per_page=${perPage}`,
    );
    expect(beyond.body).toMatchObject({
      size: 0,
      empty: true,
      last_page: true,
      first_page: false,
      contents: [],
    });
    for (const query of [
      'page=0',
      'per_page=x',
      'day=Funday',
      'taxonomy_term_id=nope',
      'modified_after=soon',
    ]) {
      const response = await app.inject({
        method: 'GET',
        url: `/openreferral/service_at_locations?${query}`,
      });
      expect(response.statusCode, query).toBe(400);
    }
  });

  it('take the same filters as /services: each matching service at each of its sites', async () => {
    const foodBank = '3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b62';
    const someOrganization = services[0]?.organization_id ?? '';
    const cases: [string, (s: OrukService) => boolean][] = [
      ['search=pantry', (s) => /pantry/i.test(`${s.name} ${s.description} ${s.organization.name}`)],
      [`taxonomy_term_id=${foodBank}`, (s) => s.attributes.some((a) => a.taxonomy_term_id === foodBank)],
      ['age=8', (s) => (s.minimum_age ?? 0) <= 8 && (s.maximum_age ?? 200) >= 8],
      ['minimum_age=11', (s) => s.minimum_age !== null && s.minimum_age >= 11],
      ['day=SA', (s) => s.schedules.some((x) => x.byday.split(',').includes('SA'))],
      ['start_time=18:00', (s) => s.schedules.some((x) => x.opens_at >= '18:00')],
      ['language=pl', (s) => s.languages.some((l) => l.code === 'pl')],
      [`organization_id=${someOrganization}`, (s) => s.organization_id === someOrganization],
      ['modified_after=2000-01-01', () => true],
      ['modified_after=2999-01-01T00:00:00Z', () => false],
    ];
    for (const [query, predicate] of cases) {
      const got = (await linkIds(query)).sort();
      expect(got, query).toEqual(expectedLinks(predicate));
      // The same services as /services gives for the query.
      const serviceIds = new Set(
        services.filter((s) => s.service_at_locations.some((sal) => got.includes(sal.id))).map((s) => s.id),
      );
      expect([...serviceIds].sort(), query).toEqual((await ids(query)).sort());
    }
  });

  it('measure distance from a postcode to each site, nearest first, and limit by proximity', async () => {
    const origin = await deps.db
      .selectFrom('postcodes')
      .select(['easting', 'northing'])
      .where('postcode', '=', 'SG1 1LQ')
      .executeTakeFirstOrThrow();
    const centroids = new Map(
      (await deps.db.selectFrom('postcodes').select(['postcode', 'easting', 'northing']).execute()).map(
        (p) => [p.postcode, p],
      ),
    );
    const siteMetres = new Map(
      services.flatMap((s) =>
        s.service_at_locations.map((sal): [string, number] => {
          const c = centroids.get(sal.location.addresses[0]?.postal_code ?? '');
          if (!c?.easting || !c.northing || !origin.easting || !origin.northing) return [sal.id, Infinity];
          return [sal.id, Math.hypot(c.easting - origin.easting, c.northing - origin.northing)];
        }),
      ),
    );
    const all = await linkIds('postcode=SG1 1LQ');
    const distances = all.map((id) => siteMetres.get(id) ?? Infinity);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(distances[0]).toBe(0);
    const within = (await linkIds('postcode=SG1 1LQ&proximity=3000')).sort();
    expect(within).toEqual(
      [...siteMetres.entries()]
        .filter(([, m]) => m <= 3000)
        .map(([id]) => id)
        .sort(),
    );
    expect(within.length).toBeGreaterThan(0);
    expect(within.length).toBeLessThan(siteMetres.size);
  });
});

describe('importing another directory’s feed', () => {
  it('reads every page of a served feed, so the second directory publishes exactly the same', async () => {
    // The first directory's own published output, served over HTTP on a free port.
    const source = await testApp(deps);
    await source.listen({ port: 0, host: '127.0.0.1' });
    const address = source.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    const other = await openTestDb();
    try {
      await loadTestGeography(other);
      const otherDeps = testDeps(other);
      const feed = `http://127.0.0.1:${address.port}/openreferral`;
      const summary = await importFeed(other.db, feed, { perPage: 5 });
      expect(summary).toEqual({
        pages: Math.ceil(services.length / 5),
        read: services.length,
        saved: services.length,
        problems: [],
      });
      // Again: the same services are updated, not duplicated.
      await importFeed(other.db, `${feed}/services`);
      const otherApp = await testApp(otherDeps);
      try {
        for (const url of [
          `/openreferral/services?per_page=${MAX_PER_PAGE}`,
          '/openreferral/services?per_page=4&page=2',
          '/openreferral/services?postcode=WD6 4AE&proximity=20000',
          '/openreferral/taxonomy_terms',
        ]) {
          const mine = await getJson(url);
          const theirs = await getJson(url, otherApp);
          expect(theirs, url).toEqual(mine);
        }
        const imported = await other.db
          .selectFrom('directory_services')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('source', '=', `${feed}/services`)
          .executeTakeFirstOrThrow();
        expect(Number(imported.n)).toBe(services.length);
      } finally {
        await otherApp.close();
      }
    } finally {
      await source.close();
      await other.close();
    }
  });
});

describe('importing a feed in the older Open Referral UK shape', () => {
  it('maps its pages, weekday schedules, eligibility ages and taxonomies, and skips what it cannot read', async () => {
    const { createServer } = await import('node:http');
    // Version 1 of the UK profile: Spring-style pages (`content`, `totalPages`, `last`), ids that are
    // not UUIDs, `regular_schedules`, `eligibilitys` and `service_taxonomys`; list items without
    // their nested parts, so each is fetched from /services/{id}.
    const full: Record<string, unknown> = {
      'svc-1': {
        id: 'svc-1',
        name: 'Legacy stay and play',
        description: 'Play sessions for under-fives',
        url: 'https://example.org/legacy',
        status: 'active',
        organization: { id: 'org-1', name: 'Legacy Trust', description: 'A fictional trust' },
        eligibilitys: [{ id: 'e1', minimum_age: 0, maximum_age: 5 }],
        regular_schedules: [
          { id: 'r1', weekday: 'Monday', opens_at: '09:30:00', closes_at: '11:30:00' },
          { id: 'r2', weekday: { name: 'Thursday' }, opens_at: '13:00', closes_at: '15:00' },
        ],
        service_at_locations: [
          {
            id: 'sal-1',
            location: {
              id: 'loc-1',
              name: 'Legacy hall',
              physical_addresses: [
                { id: 'a1', address_1: '9 Old Road', city: 'Stevenage', postal_code: 'sg11lq' },
              ],
            },
          },
        ],
        languages: [{ id: 'l1', language: 'English', code: 'EN' }],
        service_taxonomys: [
          { id: 'st1', taxonomy: { id: 'tax-play', name: 'Play', vocabulary: 'Legacy categories' } },
        ],
      },
      'svc-2': { id: 'svc-2', name: 'No organization here', status: 'active', service_at_locations: [] },
      'svc-3': {
        id: 'svc-3',
        name: 'Strange status',
        status: 'sleeping',
        organization: { name: 'X' },
        service_at_locations: [],
      },
    };
    const list = Object.keys(full).map((id) => ({ id, name: (full[id] as { name: string }).name }));
    const requests: string[] = [];
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      requests.push(url.pathname + url.search);
      response.setHeader('content-type', 'application/json');
      const detail = /^\/api\/services\/([^/]+)$/.exec(url.pathname);
      if (detail?.[1]) {
        const body = full[decodeURIComponent(detail[1])];
        response.statusCode = body ? 200 : 404;
        response.end(JSON.stringify(body ?? {}));
        return;
      }
      if (url.pathname !== '/api/services') {
        response.statusCode = 404;
        response.end('{}');
        return;
      }
      const page = Number(url.searchParams.get('page'));
      const size = Number(url.searchParams.get('per_page'));
      const content = list.slice((page - 1) * size, page * size);
      const totalPages = Math.ceil(list.length / size);
      response.end(
        JSON.stringify({
          totalElements: list.length,
          totalPages,
          number: page,
          size,
          first: page === 1,
          last: page >= totalPages,
          content,
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    const other = await openTestDb();
    try {
      await loadTestGeography(other);
      const feed = `http://127.0.0.1:${address.port}/api/`;
      const summary = await importFeed(other.db, feed, { perPage: 2 });
      expect(summary.pages).toBe(2);
      expect(summary.read).toBe(3);
      expect(summary.saved).toBe(1);
      expect(summary.problems).toEqual([
        { serviceId: 'svc-2', problem: 'The service has no organization' },
        { serviceId: 'svc-3', problem: 'The service\'s status "sleeping" is not one of the profile\'s' },
      ]);
      expect(requests.filter((r) => r.startsWith('/api/services?'))).toEqual([
        '/api/services?page=1&per_page=2',
        '/api/services?page=2&per_page=2',
      ]);
      const source = `http://127.0.0.1:${address.port}/api/services`;
      const otherApp = await testApp(testDeps(other));
      try {
        const { body } = await getJson<OrukPage<OrukService>>('/openreferral/services', otherApp);
        expect(body.total_items).toBe(1);
        const s = body.contents[0];
        if (!s) throw new Error('not imported');
        checkService(s);
        expect(s.id).toBe(derivedId(source, 'service', 'svc-1'));
        expect(s).toMatchObject({ name: 'Legacy stay and play', minimum_age: 0, maximum_age: 5 });
        expect(s.schedules.map((x) => [x.byday, x.opens_at, x.closes_at]).sort()).toEqual([
          ['MO', '09:30', '11:30'],
          ['TH', '13:00', '15:00'],
        ]);
        expect(s.languages.map((l) => [l.code, l.name])).toEqual([['en', 'English']]);
        expect(s.attributes.map((a) => [a.taxonomy_term.name, a.taxonomy_term.taxonomy])).toEqual([
          ['Play', 'Legacy categories'],
        ]);
        const location = s.service_at_locations[0]?.location;
        expect(location?.addresses[0]?.postal_code).toBe('SG1 1LQ');
        // No coordinates in the feed: the postcode's centroid gives them, and distances work.
        expect(location?.latitude).toBeCloseTo(51.9, 0);
        const near = await getJson<OrukPage<OrukService>>(
          '/openreferral/services?postcode=SG1 1LQ&proximity=100',
          otherApp,
        );
        expect(near.body.contents.map((x) => x.id)).toEqual([s.id]);
      } finally {
        await otherApp.close();
      }
      // The same import from the command line (`npx hearth directory import URL`): again, idempotent,
      // and a non-zero exit because two services were skipped.
      const printed: string[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((line: string) => printed.push(line));
      const usage = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        expect(await directoryCommand(['import', feed], (work) => work(other))).toBe(1);
        expect(await directoryCommand(['import'], (work) => work(other))).toBe(2);
      } finally {
        log.mockRestore();
        usage.mockRestore();
      }
      expect(printed[0]).toBe('Read 3 services from 1 page; saved 1.');
      expect(printed.slice(1)).toEqual([
        '  Skipped svc-2: The service has no organization',
        '  Skipped svc-3: The service\'s status "sleeping" is not one of the profile\'s',
      ]);
      expect(
        Number(
          (
            await other.db
              .selectFrom('directory_services')
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        ),
      ).toBe(1);
      const audit = await other.db
        .selectFrom('audit_log')
        .select(['action', 'detail'])
        .where('action', '=', 'directory.import')
        .execute();
      expect(audit.length).toBe(2);
    } finally {
      server.close();
      await other.close();
    }
  });

  it('refuses an address that is not http or https', async () => {
    await expect(importFeed(deps.db, 'file:///etc/passwd')).rejects.toThrow(/http or https/);
    await expect(importFeed(deps.db, 'not a url')).rejects.toThrow(/Not a web address/);
  });
});
