-- Partner organisations managed by the council's administrators (issue 10): the identifiers that
-- name a partner organisation outside Hearth, and a version so that two administrators editing the
-- same organisation do not overwrite each other.
--   * urn: a school's unique reference number (Get Information about Schools), six digits;
--   * ods_code: a health organisation's Organisation Data Service code (NHS), 3 to 10 letters and
--     digits, upper case.
-- Frozen once shipped: add a new migration instead of editing this one.

ALTER TABLE organisations
  ADD COLUMN urn text CHECK (urn ~ '^[0-9]{6}$'),
  ADD COLUMN ods_code text CHECK (ods_code ~ '^[A-Z0-9]{3,10}$'),
  ADD COLUMN version integer NOT NULL DEFAULT 1,
  ADD COLUMN updated_at timestamptz;

CREATE UNIQUE INDEX organisations_urn_key ON organisations (urn) WHERE urn IS NOT NULL;
CREATE UNIQUE INDEX organisations_ods_code_key ON organisations (ods_code) WHERE ods_code IS NOT NULL;
