import { createHash } from 'node:crypto';

/**
 * The Open Referral UK objects Hearth publishes and reads (the UK profile of HSDS 3.0): a fully
 * nested service with its organization, schedules, service at locations (with the location and its
 * address), languages and attributes (links to taxonomy terms), and the page wrapper of every list.
 * Field names are the profile's own.
 */

export type OrukOrganization = {
  id: string;
  name: string;
  description: string;
  email: string | null;
  website: string | null;
};

export type OrukSchedule = {
  id: string;
  service_id: string;
  freq: 'WEEKLY' | 'MONTHLY';
  interval: number;
  byday: string;
  opens_at: string;
  closes_at: string;
  description: string | null;
};

export type OrukAddress = {
  id: string;
  location_id: string;
  address_1: string;
  city: string;
  state_province: string;
  postal_code: string;
  country: string;
  address_type: 'physical';
};

export type OrukLocation = {
  id: string;
  location_type: 'physical';
  name: string | null;
  latitude: number | null;
  longitude: number | null;
  addresses: OrukAddress[];
};

export type OrukServiceAtLocation = {
  id: string;
  service_id: string;
  location_id: string;
  location: OrukLocation;
};

export type OrukLanguage = { id: string; service_id: string; name: string; code: string };

export type OrukTaxonomy = {
  id: string;
  name: string;
  description: string;
  uri: string | null;
  version: string | null;
};

export type OrukTaxonomyTerm = {
  id: string;
  code: string;
  name: string;
  description: string;
  taxonomy_id: string;
  taxonomy: string;
  taxonomy_detail: OrukTaxonomy;
};

export type OrukAttribute = {
  id: string;
  link_id: string;
  link_type: 'service';
  link_entity: 'service';
  taxonomy_term_id: string;
  taxonomy_term: OrukTaxonomyTerm;
};

export type OrukService = {
  id: string;
  organization_id: string;
  name: string;
  description: string;
  url: string | null;
  email: string | null;
  status: 'active' | 'inactive' | 'defunct' | 'temporarily closed';
  minimum_age: number | null;
  maximum_age: number | null;
  last_modified: string;
  organization: OrukOrganization;
  schedules: OrukSchedule[];
  service_at_locations: OrukServiceAtLocation[];
  languages: OrukLanguage[];
  attributes: OrukAttribute[];
};

/**
 * A service at one of its locations, as the `/service_at_locations` endpoints publish it: the link,
 * its location (with the address) and the fully nested service.
 */
export type OrukServiceAtLocationFull = OrukServiceAtLocation & { service: OrukService };

export type OrukPage<T> = {
  total_items: number;
  total_pages: number;
  page_number: number;
  size: number;
  first_page: boolean;
  last_page: boolean;
  empty: boolean;
  contents: T[];
};

/**
 * The fields the profile requires of each object Hearth publishes (HSDS 3.0 with the UK profile's
 * changes: a service also needs its url). The tests check every published object against these.
 */
export const REQUIRED_FIELDS = {
  page: ['total_items', 'total_pages', 'page_number', 'size', 'first_page', 'last_page', 'empty', 'contents'],
  service: ['id', 'name', 'status', 'url'],
  organization: ['id', 'name', 'description'],
  schedule: ['id'],
  service_at_location: ['id'],
  /** The `/service_at_locations` objects: the link and what it joins (UK profile, HSDS 3.0). */
  published_service_at_location: ['id', 'service_id', 'location_id', 'location', 'service'],
  location: ['id'],
  address: ['id', 'address_1', 'city', 'state_province', 'postal_code', 'country', 'address_type'],
  language: ['id'],
  attribute: ['id', 'link_id', 'link_type', 'taxonomy_term_id'],
  taxonomy_term: ['id', 'taxonomy'],
  taxonomy: ['id', 'name', 'description'],
} as const;

export const DEFAULT_PER_PAGE = 50;
export const MAX_PER_PAGE = 200;

/** A page of `contents` out of `total` items. */
export function pageOf<T>(contents: T[], total: number, page: number, perPage: number): OrukPage<T> {
  const totalPages = Math.ceil(total / perPage);
  return {
    total_items: total,
    total_pages: totalPages,
    page_number: page,
    size: contents.length,
    first_page: page === 1,
    last_page: page >= totalPages,
    empty: contents.length === 0,
    contents,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** A stable UUID (version 5 layout) named by the parts: the same parts always give the same id. */
export function derivedId(...parts: string[]): string {
  const hex = createHash('sha1').update(parts.join('\u0000')).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
