-- The duplicate report: pairs of person records that are probably the same person, found by a
-- set-based scan of the whole organisation (src/modules/people/duplicates.ts) and stored, so the
-- report opens at once even where the scan of a million records takes tens of seconds.
--
-- duplicate_pairs has NO foreign key to people, on purpose: the pairs are derived data, replaced by
-- every scan, and a merge (which moves every row that references people) must leave them alone. The
-- report skips merged records and pairs marked "not duplicates" when it reads.
-- Frozen once shipped: add a new migration instead of editing this one.

CREATE TABLE duplicate_pairs (
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  person_a uuid NOT NULL,
  person_b uuid NOT NULL,
  score integer NOT NULL,
  -- Why the pair was offered: nhs_number, date_of_birth, family_name_sound, given_name_sound,
  -- similar_name, birth_year.
  reasons text[] NOT NULL,
  PRIMARY KEY (organisation_id, person_a, person_b),
  CHECK (person_a < person_b)
);
CREATE INDEX duplicate_pairs_by_score ON duplicate_pairs (organisation_id, score DESC, person_a, person_b);

-- The latest scan of each organisation.
CREATE TABLE duplicate_scans (
  organisation_id uuid PRIMARY KEY REFERENCES organisations(id),
  scanned_at timestamptz NOT NULL,
  scanned_by uuid REFERENCES users(id),
  pairs integer NOT NULL,
  duration_ms integer NOT NULL
);

-- A merge moves rows with `UPDATE … WHERE <column> = <merged person>` for every column that
-- references people, and the merge page counts them: index the columns 0001/0002 left without an
-- index they lead (allocations' and restrictions' indexes cover open rows only).
CREATE INDEX allocations_person_all ON allocations (person_id);
CREATE INDEX break_glass_grants_person ON break_glass_grants (person_id);
CREATE INDEX person_restrictions_person_all ON person_restrictions (person_id);
CREATE INDEX person_merges_merged ON person_merges (merged_person_id);
CREATE INDEX person_not_duplicates_b ON person_not_duplicates (person_b);
