import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { dayCode } from './codes.ts';
import { saveService } from './directory.ts';
import type { ServiceStatus } from './directory.table.ts';
import {
  derivedId,
  isUuid,
  type OrukAttribute,
  type OrukLanguage,
  type OrukSchedule,
  type OrukService,
  type OrukServiceAtLocation,
} from './openreferral.ts';

/**
 * Reads another directory's Open Referral UK feed into Hearth's directory: every page of its
 * /services list (the UK profile's page object, or the older profile's `content`/`last` shape), each
 * service fully nested (fetched from /services/{id} when the list leaves out its nested parts).
 * Ids that are UUIDs are kept, so importing a feed again updates the same services; other ids are
 * turned into stable UUIDs named by the feed. A service that cannot be read is reported and skipped.
 */

export type ImportProblem = { readonly serviceId: string; readonly problem: string };
export type ImportSummary = {
  readonly pages: number;
  readonly read: number;
  readonly saved: number;
  readonly problems: readonly ImportProblem[];
};

const MAX_PAGES = 10_000;
const PER_PAGE = 100;
const STATUSES: readonly ServiceStatus[] = ['active', 'inactive', 'defunct', 'temporarily closed'];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (typeof value === 'number') return String(value);
  return null;
}

function whole(value: unknown): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) return null;
  const rounded = Math.round(n);
  return rounded >= 0 && rounded <= 120 ? rounded : null;
}

function coordinate(value: unknown): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function hhmm(value: unknown): string | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)/.exec(text(value) ?? '');
  return match ? `${match[1] ?? ''}:${match[2] ?? ''}` : null;
}

class Ids {
  readonly source: string;
  constructor(source: string) {
    this.source = source;
  }
  of(kind: string, value: unknown): string {
    const raw = text(value);
    if (raw && isUuid(raw)) return raw.toLowerCase();
    return derivedId(this.source, kind, raw ?? JSON.stringify(value));
  }
}

function schedulesOf(raw: Json, serviceId: string, ids: Ids): OrukSchedule[] {
  // The UK profile's `schedules`, or the older profile's `regular_schedules` (one weekday each).
  const out: OrukSchedule[] = [];
  for (const s of [...list(raw['schedules']), ...list(raw['regular_schedules'])]) {
    const opens = hhmm(s['opens_at']);
    const closes = hhmm(s['closes_at']);
    const weekday = s['byday'] ?? (isObject(s['weekday']) ? s['weekday']['name'] : s['weekday']);
    const days = (text(weekday) ?? '')
      .split(',')
      .map((d) => dayCode(d))
      .filter((d): d is NonNullable<typeof d> => d !== undefined);
    if (!opens || !closes || opens >= closes || days.length === 0) continue;
    out.push({
      id: ids.of('schedule', s['id']),
      service_id: serviceId,
      freq: text(s['freq']) === 'MONTHLY' ? 'MONTHLY' : 'WEEKLY',
      interval: 1,
      byday: [...new Set(days)].join(','),
      opens_at: opens,
      closes_at: closes,
      description: text(s['description']),
    });
  }
  return out;
}

function locationsOf(raw: Json, serviceId: string, ids: Ids): OrukServiceAtLocation[] {
  const out: OrukServiceAtLocation[] = [];
  const seen = new Set<string>();
  for (const sal of list(raw['service_at_locations'])) {
    const loc = isObject(sal['location']) ? sal['location'] : undefined;
    if (!loc) continue;
    const locationId = ids.of('location', loc['id'] ?? sal['location_id']);
    if (seen.has(locationId)) continue;
    seen.add(locationId);
    const address = list(loc['addresses'])[0] ?? list(loc['physical_addresses'])[0];
    out.push({
      id: ids.of('service_at_location', sal['id']),
      service_id: serviceId,
      location_id: locationId,
      location: {
        id: locationId,
        location_type: 'physical',
        name: text(loc['name']),
        latitude: coordinate(loc['latitude']),
        longitude: coordinate(loc['longitude']),
        addresses: [
          {
            id: derivedId('address', locationId),
            location_id: locationId,
            address_1: text(address?.['address_1']) ?? '',
            city: text(address?.['city']) ?? '',
            state_province: text(address?.['state_province']) ?? '',
            postal_code: text(address?.['postal_code']) ?? '',
            country: text(address?.['country']) ?? 'GB',
            address_type: 'physical',
          },
        ],
      },
    });
  }
  return out;
}

function languagesOf(raw: Json, serviceId: string, ids: Ids): OrukLanguage[] {
  const out: OrukLanguage[] = [];
  const seen = new Set<string>();
  for (const l of list(raw['languages'])) {
    const code = (text(l['code']) ?? '').toLowerCase();
    const name = text(l['name']) ?? text(l['language']);
    if (!/^[a-z]{2,3}$/.test(code) || !name || seen.has(code)) continue;
    seen.add(code);
    out.push({ id: ids.of('language', l['id']), service_id: serviceId, name, code });
  }
  return out;
}

function attributesOf(raw: Json, serviceId: string, ids: Ids): OrukAttribute[] {
  const out: OrukAttribute[] = [];
  const seen = new Set<string>();
  // The UK profile's `attributes`, or the older profile's `service_taxonomys`.
  for (const a of [...list(raw['attributes']), ...list(raw['service_taxonomys'])]) {
    const term = isObject(a['taxonomy_term'])
      ? a['taxonomy_term']
      : isObject(a['taxonomy'])
        ? a['taxonomy']
        : undefined;
    if (!term) continue;
    const name = text(term['name']) ?? text(term['term']);
    if (!name) continue;
    const detail = isObject(term['taxonomy_detail']) ? term['taxonomy_detail'] : undefined;
    const taxonomyName =
      text(detail?.['name']) ?? text(term['taxonomy']) ?? text(term['vocabulary']) ?? 'Imported';
    const taxonomyId = ids.of('taxonomy', term['taxonomy_id'] ?? detail?.['id'] ?? taxonomyName);
    const termId = ids.of('taxonomy_term', term['id'] ?? a['taxonomy_term_id']);
    if (seen.has(termId)) continue;
    seen.add(termId);
    out.push({
      id: ids.of('attribute', a['id']),
      link_id: serviceId,
      link_type: 'service',
      link_entity: 'service',
      taxonomy_term_id: termId,
      taxonomy_term: {
        id: termId,
        code: text(term['code']) ?? termId,
        name,
        description: text(term['description']) ?? '',
        taxonomy_id: taxonomyId,
        taxonomy: taxonomyName,
        taxonomy_detail: {
          id: taxonomyId,
          name: taxonomyName,
          description: text(detail?.['description']) ?? '',
          uri: text(detail?.['uri']),
          version: text(detail?.['version']),
        },
      },
    });
  }
  return out;
}

/** A fully nested service read from a feed, or the reason it cannot be read. */
export function serviceFromFeed(raw: Json, source: string): OrukService | string {
  const ids = new Ids(source);
  if (text(raw['id']) === null) return 'The service has no id';
  const id = ids.of('service', raw['id']);
  const name = text(raw['name']);
  if (!name) return 'The service has no name';
  const org = isObject(raw['organization']) ? raw['organization'] : undefined;
  const orgName = text(org?.['name']);
  if (!org || !orgName) return 'The service has no organization';
  const status = (text(raw['status']) ?? 'active').toLowerCase() as ServiceStatus;
  if (!STATUSES.includes(status)) return `The service's status "${status}" is not one of the profile's`;
  let minimum = whole(raw['minimum_age']);
  let maximum = whole(raw['maximum_age']);
  // The older profile keeps ages on the service's eligibility rows.
  const eligibility = list(raw['eligibilitys'])[0];
  if (minimum === null && eligibility) minimum = whole(eligibility['minimum_age']);
  if (maximum === null && eligibility) maximum = whole(eligibility['maximum_age']);
  if (minimum !== null && maximum !== null && minimum > maximum) [minimum, maximum] = [maximum, minimum];
  const modified = text(raw['last_modified']);
  const lastModified =
    modified && !Number.isNaN(Date.parse(modified))
      ? new Date(modified).toISOString()
      : new Date().toISOString();
  const orgId = ids.of('organization', org['id'] ?? raw['organization_id'] ?? orgName);
  return {
    id,
    organization_id: orgId,
    name,
    description: text(raw['description']) ?? '',
    url: text(raw['url']),
    email: text(raw['email']),
    status,
    minimum_age: minimum,
    maximum_age: maximum,
    last_modified: lastModified,
    organization: {
      id: orgId,
      name: orgName,
      description: text(org['description']) ?? '',
      email: text(org['email']),
      website: text(org['website']) ?? text(org['url']),
    },
    schedules: schedulesOf(raw, id, ids),
    service_at_locations: locationsOf(raw, id, ids),
    languages: languagesOf(raw, id, ids),
    attributes: attributesOf(raw, id, ids),
  };
}

/** The feed's /services address from what the user gave (the API's root or its /services). */
export function servicesUrl(given: string): URL {
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new Error(`Not a web address: ${given}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error('The feed must be an http or https address');
  url.search = '';
  url.hash = '';
  if (!url.pathname.replace(/\/+$/, '').endsWith('/services')) {
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/services`;
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

async function getJson(url: URL, fetcher: typeof fetch): Promise<unknown> {
  const response = await fetcher(url, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok) throw new Error(`${url.toString()} answered ${response.status}`);
  return response.json();
}

function pageContents(page: Json): Json[] {
  return list(page['contents'] ?? page['content']);
}

function isLastPage(page: Json, number: number, contents: number): boolean {
  if (contents === 0) return true;
  const last = page['last_page'] ?? page['last'];
  if (typeof last === 'boolean') return last;
  const total = page['total_pages'] ?? page['totalPages'];
  return typeof total === 'number' ? number >= total : false;
}

/** Imports every service of the feed at `feed`; each service is saved in its own transaction. */
export async function importFeed(
  db: Kysely<Database>,
  feed: string,
  options: { fetcher?: typeof fetch; actorUserId?: string | null; perPage?: number } = {},
): Promise<ImportSummary> {
  const fetcher = options.fetcher ?? fetch;
  const base = servicesUrl(feed);
  const source = base.toString();
  const problems: ImportProblem[] = [];
  let read = 0;
  let saved = 0;
  let pages = 0;
  for (let number = 1; number <= MAX_PAGES; number += 1) {
    const url = new URL(base);
    url.searchParams.set('page', String(number));
    url.searchParams.set('per_page', String(options.perPage ?? PER_PAGE));
    const page = await getJson(url, fetcher);
    if (!isObject(page)) throw new Error(`${url.toString()} is not an Open Referral page`);
    pages += 1;
    const contents = pageContents(page);
    for (let item of contents) {
      read += 1;
      const id = text(item['id']) ?? '(no id)';
      if (!isObject(item['organization']) || !Array.isArray(item['service_at_locations'])) {
        const detail = new URL(`${base.toString()}/${encodeURIComponent(id)}`);
        const full = await getJson(detail, fetcher);
        if (isObject(full)) item = full;
      }
      const service = serviceFromFeed(item, source);
      if (typeof service === 'string') {
        problems.push({ serviceId: id, problem: service });
        continue;
      }
      await db.transaction().execute((trx) => saveService(trx, service, source));
      saved += 1;
    }
    if (isLastPage(page, number, contents.length)) break;
  }
  await recordAudit(db, {
    actorUserId: options.actorUserId ?? null,
    action: 'directory.import',
    entityType: 'directory',
    detail: { source, pages, read, saved, problems: problems.length },
  });
  return { pages, read, saved, problems };
}
