-- Synthetic authorities: a record of each run of `npx hearth seed` (src/modules/synthetic), so a
-- later run can append without reusing household numbers, the calibration command knows the
-- reference date, and an interrupted run is visible.
-- Frozen once shipped: add a new migration instead of editing this one.

CREATE TABLE synthetic_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  la_code text NOT NULL,
  run_number integer NOT NULL,
  seed text NOT NULL,
  scale double precision NOT NULL CHECK (scale > 0),
  years integer NOT NULL CHECK (years > 0),
  reference_date date NOT NULL,
  variation text NOT NULL CHECK (variation IN ('national', 'authority')),
  -- Household numbers used by this run: [household_offset, household_offset + households).
  household_offset integer NOT NULL,
  households integer NOT NULL DEFAULT 0,
  children integer NOT NULL DEFAULT 0,
  people integer NOT NULL DEFAULT 0,
  rows bigint NOT NULL DEFAULT 0,
  status text NOT NULL CHECK (status IN ('running', 'complete')),
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  UNIQUE (organisation_id, run_number)
);
CREATE INDEX synthetic_runs_la ON synthetic_runs (la_code);
