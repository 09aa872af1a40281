-- Statutory returns produced and validated from the web: each run is a row with its progress, its
-- output (gzipped) and, for a validation, its issues. Performance analysts produce and validate the
-- returns; senior leaders may too.

INSERT INTO roles (id, name, description) VALUES
  ('performance_analyst', 'Performance analyst',
   'Produces and validates the statutory returns and reads the insight pages');

INSERT INTO role_permissions (role_id, resource, action, scope) VALUES
  ('performance_analyst', 'returns', 'produce', 'authority'),
  ('performance_analyst', 'returns', 'validate', 'authority'),
  ('senior_leader', 'returns', 'produce', 'authority'),
  ('senior_leader', 'returns', 'validate', 'authority');

CREATE TABLE return_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  -- produce_cin, produce_ssda903, produce_annex_a, validate_cin, validate_ssda903
  kind text NOT NULL CHECK (kind IN ('produce_cin', 'produce_ssda903', 'produce_annex_a', 'validate_cin', 'validate_ssda903')),
  -- The census or collection year by its end (2026 = 1 April 2025 to 31 March 2026).
  year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  children_done integer NOT NULL DEFAULT 0,
  stage text NOT NULL DEFAULT 'Starting',
  errors integer NOT NULL DEFAULT 0,
  queries integer NOT NULL DEFAULT 0,
  -- A plain-English reason when the run failed (never personal data).
  failure text,
  output bytea,
  output_name text,
  output_type text,
  started_by uuid NOT NULL REFERENCES users(id),
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX return_runs_organisation ON return_runs (organisation_id, started_at DESC);

CREATE TABLE return_run_issues (
  run_id uuid NOT NULL REFERENCES return_runs(id) ON DELETE CASCADE,
  position integer NOT NULL,
  rule text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('error', 'query')),
  child text,
  -- The child in Hearth when the return's child id matches a record (links into the record).
  person_id uuid REFERENCES people(id),
  return_table text NOT NULL,
  fields text NOT NULL,
  file text,
  row_number integer,
  description text NOT NULL,
  PRIMARY KEY (run_id, position)
);
