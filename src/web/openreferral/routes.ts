import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { dayCode } from '../../modules/directory/codes.ts';
import {
  findTaxonomy,
  findTaxonomyTerm,
  listTaxonomies,
  listTaxonomyTerms,
  loadServiceAtLocations,
  loadServices,
  postcodeCentroid,
  searchServiceAtLocations,
  searchServices,
  type DirectoryFilters,
} from '../../modules/directory/directory.ts';
import { DEFAULT_PER_PAGE, MAX_PER_PAGE, isUuid, pageOf } from '../../modules/directory/openreferral.ts';
import type { Deps } from '../../platform/deps.ts';

/**
 * Open Referral UK read endpoints (public JSON) for the local services directory: the API of the
 * UK profile of HSDS 3.0. Lists are paged (`page` from 1, `per_page` up to MAX_PER_PAGE) and wrapped
 * in the profile's page object; a page beyond the end is an empty page, not an error. These routes
 * sit outside the staff application, so the staff sign-in guard does not apply to them.
 */

class BadQuery extends Error {}

type Query = Record<string, string | string[] | undefined>;

function one(query: Query, name: string): string | undefined {
  const value = query[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}

function integer(query: Query, name: string, min: number): number | undefined {
  const value = one(query, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new BadQuery(`${name} must be a whole number from ${min}`);
  return Number(value);
}

function time(query: Query, name: string): string | undefined {
  const value = one(query, name);
  if (value === undefined) return undefined;
  const match = /^([01]\d|2[0-3]):([0-5]\d)(:[0-5]\d)?$/.exec(value);
  if (!match) throw new BadQuery(`${name} must be a time such as 09:30`);
  return `${match[1] ?? ''}:${match[2] ?? ''}`;
}

function paging(query: Query): { page: number; perPage: number } {
  const page = integer(query, 'page', 1) ?? 1;
  const perPage = Math.min(integer(query, 'per_page', 1) ?? DEFAULT_PER_PAGE, MAX_PER_PAGE);
  return { page, perPage };
}

function uuidOrAbsent(query: Query, name: string): string | undefined {
  const value = one(query, name);
  if (value !== undefined && !isUuid(value)) throw new BadQuery(`${name} must be an id`);
  return value;
}

async function filtersFrom(deps: Deps, query: Query): Promise<DirectoryFilters> {
  const day = one(query, 'day');
  const code = day === undefined ? undefined : dayCode(day);
  if (day !== undefined && !code) throw new BadQuery('day must be a day of the week, such as MO or Monday');
  const postcode = one(query, 'postcode');
  const proximity = integer(query, 'proximity', 0);
  let near: DirectoryFilters['near'];
  if (postcode !== undefined) {
    near = await postcodeCentroid(deps.db, postcode);
    if (!near) throw new BadQuery('postcode is not a known postcode');
  } else if (proximity !== undefined) {
    throw new BadQuery('proximity needs a postcode');
  }
  return {
    text: one(query, 'search') ?? one(query, 'text'),
    taxonomyTermId: uuidOrAbsent(query, 'taxonomy_term_id'),
    taxonomyId: uuidOrAbsent(query, 'taxonomy_id'),
    minimumAge: integer(query, 'minimum_age', 0),
    maximumAge: integer(query, 'maximum_age', 0),
    childAge: integer(query, 'age', 0),
    day: code,
    startTime: time(query, 'start_time'),
    endTime: time(query, 'end_time'),
    language: one(query, 'language'),
    near,
    withinMetres: proximity,
    organizationId: uuidOrAbsent(query, 'organization_id'),
    modifiedAfter: moment(query, 'modified_after'),
  };
}

function moment(query: Query, name: string): Date | undefined {
  const value = one(query, name);
  if (value === undefined) return undefined;
  const parsed = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(value)
    ? new Date(value)
    : undefined;
  if (!parsed || Number.isNaN(parsed.getTime()))
    throw new BadQuery(`${name} must be a date or date and time such as 2026-12-01T09:00:00Z`);
  return parsed;
}

function notFound(reply: FastifyReply) {
  return reply.code(404).send({ error: 'Not found' });
}

export async function openReferralRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;
  const config = { access: 'public' as const, rateLimit: { max: 600, timeWindow: '1 minute' } };

  app.addHook('onSend', async (_request, reply) => {
    reply.header('access-control-allow-origin', '*');
  });
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof BadQuery) return reply.code(400).send({ error: error.message });
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status < 500) return reply.code(status).send({ error: 'Bad request' });
    request.log.error(
      { err: { type: (error as Error).name, message: (error as Error).message } },
      'request failed',
    );
    return reply.code(500).send({ error: 'Sorry, there is a problem with the service' });
  });
  app.setNotFoundHandler((_request, reply) => notFound(reply));

  app.get('/', { config }, async (request: FastifyRequest, reply) => {
    const base = `${request.protocol}://${request.host}/openreferral`;
    return reply.send({
      version: '3.0',
      profile: 'https://openreferraluk.org',
      openapi_url: 'https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json',
      services_url: `${base}/services`,
      service_at_locations_url: `${base}/service_at_locations`,
    });
  });

  app.get<{ Querystring: Query }>('/services', { config }, async (request, reply) => {
    const pages = paging(request.query);
    const filters = await filtersFrom(deps, request.query);
    const { total, hits } = await searchServices(deps.db, filters, pages);
    const services = await loadServices(
      deps.db,
      hits.map((h) => h.id),
    );
    return reply.send(pageOf(services, total, pages.page, pages.perPage));
  });

  app.get<{ Params: { id: string } }>('/services/:id', { config }, async (request, reply) => {
    if (!isUuid(request.params.id)) return notFound(reply);
    const [service] = await loadServices(deps.db, [request.params.id]);
    return service ? reply.send(service) : notFound(reply);
  });

  // Each service at each of its sites: the same filters and paging as /services, with distance
  // measured to the site itself.
  app.get<{ Querystring: Query }>('/service_at_locations', { config }, async (request, reply) => {
    const pages = paging(request.query);
    const filters = await filtersFrom(deps, request.query);
    const { total, hits } = await searchServiceAtLocations(deps.db, filters, pages);
    const items = await loadServiceAtLocations(
      deps.db,
      hits.map((h) => h.id),
    );
    return reply.send(pageOf(items, total, pages.page, pages.perPage));
  });

  app.get<{ Params: { id: string } }>('/service_at_locations/:id', { config }, async (request, reply) => {
    if (!isUuid(request.params.id)) return notFound(reply);
    const [item] = await loadServiceAtLocations(deps.db, [request.params.id]);
    return item ? reply.send(item) : notFound(reply);
  });

  app.get<{ Querystring: Query }>('/taxonomies', { config }, async (request, reply) => {
    const pages = paging(request.query);
    const { total, taxonomies } = await listTaxonomies(deps.db, pages);
    return reply.send(pageOf(taxonomies, total, pages.page, pages.perPage));
  });

  app.get<{ Params: { id: string } }>('/taxonomies/:id', { config }, async (request, reply) => {
    if (!isUuid(request.params.id)) return notFound(reply);
    const taxonomy = await findTaxonomy(deps.db, request.params.id);
    if (!taxonomy) return notFound(reply);
    const { terms } = await listTaxonomyTerms(deps.db, { page: 1, perPage: 10_000 }, taxonomy.id);
    return reply.send({ ...taxonomy, taxonomy_terms: terms });
  });

  app.get<{ Querystring: Query }>('/taxonomy_terms', { config }, async (request, reply) => {
    const pages = paging(request.query);
    const { total, terms } = await listTaxonomyTerms(
      deps.db,
      pages,
      uuidOrAbsent(request.query, 'taxonomy_id'),
    );
    return reply.send(pageOf(terms, total, pages.page, pages.perPage));
  });

  app.get<{ Params: { id: string } }>('/taxonomy_terms/:id', { config }, async (request, reply) => {
    if (!isUuid(request.params.id)) return notFound(reply);
    const term = await findTaxonomyTerm(deps.db, request.params.id);
    return term ? reply.send(term) : notFound(reply);
  });
}
