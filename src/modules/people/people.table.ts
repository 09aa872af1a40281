import type { ColumnType, Generated } from 'kysely';

export type PersonTable = {
  id: Generated<string>;
  organisation_id: string;
  given_name: string;
  family_name: string;
  /** ISO date (YYYY-MM-DD). */
  date_of_birth: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  version: Generated<number>;
};

export type AllocationTable = {
  id: Generated<string>;
  person_id: string;
  team_id: string;
  worker_user_id: string | null;
  started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  ended_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
};
