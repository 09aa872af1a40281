import type { Deps } from '../../platform/deps.ts';
import { ForbiddenError, type FieldError } from '../../platform/errors.ts';
import { can, type Actor } from '../access/actor.ts';
import { DAYS, LANGUAGES, dayCode } from './codes.ts';
import {
  categoryTerms,
  daysText,
  loadServices,
  postcodeCentroid,
  searchServices,
  type DirectoryFilters,
} from './directory.ts';
import { CATEGORY_TAXONOMY } from './codes.ts';

/**
 * The staff search of the local services directory: by the child's age, distance from a postcode
 * (straight line between postcode centroids), day and time, language and category, as a GET form
 * that works without JavaScript. Only active services are shown.
 */

export const PER_PAGE = 20;
export const DISTANCES_KM = ['1', '2', '5', '10', '20'] as const;

export type SearchValues = {
  readonly text: string;
  readonly category: string;
  readonly age: string;
  readonly postcode: string;
  readonly distance: string;
  readonly day: string;
  readonly time: string;
  readonly language: string;
  readonly page: string;
};

export type ServiceResult = {
  readonly id: string;
  readonly name: string;
  readonly organization: string;
  readonly description: string;
  readonly url: string | null;
  readonly email: string | null;
  readonly ages: string;
  readonly categories: readonly string[];
  readonly when: readonly string[];
  readonly languages: readonly string[];
  readonly addresses: readonly string[];
  readonly distanceKm: string | null;
};

export type SearchOutcome = {
  readonly errors: readonly FieldError[];
  readonly searched: boolean;
  readonly total: number;
  readonly page: number;
  readonly pages: number;
  readonly results: readonly ServiceResult[];
  readonly categories: readonly { id: string; name: string }[];
  readonly days: Readonly<Record<string, string>>;
  readonly languages: Readonly<Record<string, string>>;
};

function agesText(min: number | null, max: number | null): string {
  if (min === null && max === null) return 'All ages';
  if (min === null) return `Up to ${max ?? ''}`;
  if (max === null) return `${min} and over`;
  return `${min} to ${max}`;
}

export async function searchDirectory(
  deps: Deps,
  actor: Actor,
  values: SearchValues,
): Promise<SearchOutcome> {
  if (!can(actor, 'help', 'read') && !can(actor, 'person', 'read')) throw new ForbiddenError();
  const errors: FieldError[] = [];
  const filters: { -readonly [K in keyof DirectoryFilters]: DirectoryFilters[K] } = { status: 'active' };
  const categories = await categoryTerms(deps.db);
  if (values.text.trim()) filters.text = values.text.trim();
  if (values.category) {
    if (categories.some((c) => c.id === values.category)) filters.taxonomyTermId = values.category;
    else errors.push({ field: 'category', message: 'Select a category from the list' });
  }
  if (values.age.trim()) {
    const age = values.age.trim();
    if (!/^\d{1,3}$/.test(age) || Number(age) > 25)
      errors.push({ field: 'age', message: 'The child’s age must be a whole number of years, from 0 to 25' });
    else filters.childAge = Number(age);
  }
  if (values.postcode.trim()) {
    const near = await postcodeCentroid(deps.db, values.postcode);
    if (!near) errors.push({ field: 'postcode', message: 'Enter a real postcode in England, like SG1 1LQ' });
    else filters.near = near;
    if (values.distance) {
      if ((DISTANCES_KM as readonly string[]).includes(values.distance))
        filters.withinMetres = Number(values.distance) * 1000;
      else errors.push({ field: 'distance', message: 'Select how far the family can travel' });
    }
  } else if (values.distance) {
    errors.push({ field: 'postcode', message: 'Enter the postcode to measure the distance from' });
  }
  if (values.day) {
    const code = dayCode(values.day);
    if (code) filters.day = code;
    else errors.push({ field: 'day', message: 'Select a day of the week' });
  }
  if (values.time.trim()) {
    const match = /^([01]?\d|2[0-3])[:.]([0-5]\d)$/.exec(values.time.trim());
    if (!match) errors.push({ field: 'time', message: 'Enter a time in the 24-hour clock, like 16:30' });
    else filters.openAt = `${(match[1] ?? '').padStart(2, '0')}:${match[2] ?? ''}`;
  }
  if (values.language) {
    if (Object.hasOwn(LANGUAGES, values.language)) filters.language = values.language;
    else errors.push({ field: 'language', message: 'Select a language from the list' });
  }
  const page = /^\d{1,4}$/.test(values.page) && Number(values.page) >= 1 ? Number(values.page) : 1;
  const base = { categories, days: DAYS, languages: LANGUAGES };
  if (errors.length > 0)
    return { ...base, errors, searched: false, total: 0, page: 1, pages: 0, results: [] };
  const { total, hits } = await searchServices(deps.db, filters, { page, perPage: PER_PAGE });
  const services = await loadServices(
    deps.db,
    hits.map((h) => h.id),
  );
  const distances = new Map(hits.map((h) => [h.id, h.distanceMetres]));
  const results = services.map((s): ServiceResult => {
    const metres = distances.get(s.id) ?? null;
    return {
      id: s.id,
      name: s.name,
      organization: s.organization.name,
      description: s.description,
      url: s.url,
      email: s.email,
      ages: agesText(s.minimum_age, s.maximum_age),
      categories: s.attributes
        .filter((a) => a.taxonomy_term.taxonomy_id === CATEGORY_TAXONOMY.id)
        .map((a) => a.taxonomy_term.name),
      when: s.schedules.map((x) => `${daysText(x.byday)}, ${x.opens_at} to ${x.closes_at}`),
      languages: s.languages.map((l) => l.name),
      addresses: s.service_at_locations.map((sal) => {
        const a = sal.location.addresses[0];
        return [sal.location.name, a?.address_1, a?.city, a?.postal_code].filter((p) => p).join(', ');
      }),
      distanceKm: metres === null ? null : (metres / 1000).toFixed(1),
    };
  });
  return { ...base, errors, searched: true, total, page, pages: Math.ceil(total / PER_PAGE), results };
}
