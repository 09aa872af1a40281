/** Kysely types for migration 0020_portal_content.sql: family views, corrections, messages, shared reports. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in as the feature's tables land
export type PortalContentTables = {};
