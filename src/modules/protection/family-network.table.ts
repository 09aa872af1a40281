/** Kysely types for migration 0024_family_network.sql: family network meetings' lifecycle and support packages; welfare-rights referrals. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in as the feature's tables land
export type FamilyNetworkTables = {};
