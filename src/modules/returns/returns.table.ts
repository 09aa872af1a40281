import type { ColumnType, Generated } from 'kysely';

/** Kysely types for migration 0011_return_runs.sql. */
type Opt<T> = ColumnType<T | null, T | null | undefined, T | null>;

export type ReturnRunKind =
  | 'produce_cin'
  | 'produce_ssda903'
  | 'produce_annex_a'
  | 'validate_cin'
  | 'validate_ssda903';

export type ReturnRunStatus = 'running' | 'done' | 'failed';

export type ReturnRunTable = {
  id: Generated<string>;
  organisation_id: string;
  kind: ReturnRunKind;
  year: number;
  status: ColumnType<ReturnRunStatus, ReturnRunStatus | undefined, ReturnRunStatus>;
  children_done: ColumnType<number, number | undefined, number>;
  stage: ColumnType<string, string | undefined, string>;
  errors: ColumnType<number, number | undefined, number>;
  queries: ColumnType<number, number | undefined, number>;
  failure: Opt<string>;
  output: Opt<Uint8Array>;
  output_name: Opt<string>;
  output_type: Opt<string>;
  started_by: string;
  started_at: Generated<Date>;
  finished_at: Opt<Date>;
};

export type ReturnRunIssueTable = {
  run_id: string;
  position: number;
  rule: string;
  severity: 'error' | 'query';
  child: string | null;
  person_id: string | null;
  return_table: string;
  fields: string;
  file: string | null;
  row_number: number | null;
  description: string;
};

export type ReturnTables = {
  return_runs: ReturnRunTable;
  return_run_issues: ReturnRunIssueTable;
};
