/** Kysely types for migration 0022_partners.sql: partner practitioners, teams around the family, information sharing and consent. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in as the feature's tables land
export type PartnerTables = {};
