import type { ColumnType, Generated } from 'kysely';

/**
 * Kysely types for 0009_care.sql: two new tables, and the columns it adds to tables of 0004_help.sql
 * (placements, care_periods, care_leavers). The Database type intersects these with the help tables,
 * so `placements` has both its 0004 and its 0009 columns.
 */

/** ISO date (YYYY-MM-DD). */
type IsoDate = string;
/** A nullable column that may be left out on insert. */
type Opt<T> = ColumnType<T | null, T | null | undefined, T | null>;

export type WithSiblings = 'all' | 'some' | 'none' | 'not_applicable';

/** Columns 0009 adds to placements. */
export type PlacementCareColumns = {
  address: Opt<string>;
  carer_name: Opt<string>;
  weekly_cost_pence: Opt<number>;
  with_siblings: Opt<WithSiblings>;
  change_note: Opt<string>;
  recorded_by: Opt<string>;
};

/** Columns 0009 adds to care_periods. */
export type CarePeriodCareColumns = {
  care_plan_id: Opt<string>;
};

/** Columns 0009 adds to care_leavers. */
export type CareLeaverCareColumns = {
  staying_put_from: Opt<IsoDate>;
  staying_put_until: Opt<IsoDate>;
};

export type CareReviewTable = {
  plan_review_id: string;
  care_period_id: string;
  sequence: number;
  due_on: IsoDate;
  return_home_considered: boolean;
  return_home_steps: Opt<string>;
  return_home_family_view: Opt<string>;
  created_at: Generated<Date>;
};

export type PersonalEducationPlanTable = {
  id: Generated<string>;
  person_id: string;
  care_period_id: string;
  held_on: IsoDate;
  note: Opt<string>;
  recorded_by: Opt<string>;
  created_at: Generated<Date>;
};

/** Intersected with the rest of the Database type (src/db/database.ts). */
export type CareTables = {
  placements: PlacementCareColumns;
  care_periods: CarePeriodCareColumns;
  care_leavers: CareLeaverCareColumns;
  care_reviews: CareReviewTable;
  personal_education_plans: PersonalEducationPlanTable;
};
