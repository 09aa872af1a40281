/** Kysely types for migration 0021_records_requests.sql: requests for records, redactions, release. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in as the feature's tables land
export type RecordsRequestTables = {};
