/** Kysely types for migration 0023_directory.sql: the local services directory and referrals to services. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in as the feature's tables land
export type DirectoryTables = {};
