-- People, families and their networks: one true record of each person.
-- Reference geography (LSOA 2021 with IMD 2025, postcodes), the full person record with validated
-- identifiers, names over time, addresses over time, typed relationships and the family network,
-- professionals involved, restrictions, and reversible merges.
-- Frozen once shipped: add a new migration instead of editing this one.

-- Reference geography, loaded from reference-data/ by the application (see src/modules/geography).
CREATE TABLE lsoa21 (
  code text PRIMARY KEY,
  name text NOT NULL,
  la_code text NOT NULL,
  la_name text NOT NULL,
  ltla_code text NOT NULL,
  ltla_name text NOT NULL,
  imd_decile smallint NOT NULL CHECK (imd_decile BETWEEN 1 AND 10),
  imd_rank integer NOT NULL,
  imd_score real NOT NULL,
  income_decile smallint NOT NULL CHECK (income_decile BETWEEN 1 AND 10),
  children_0_17 integer NOT NULL,
  eth_share_asian real NOT NULL,
  eth_share_black real NOT NULL,
  eth_share_mixed real NOT NULL,
  eth_share_other real NOT NULL,
  eth_share_white real NOT NULL
);
CREATE INDEX lsoa21_la ON lsoa21 (la_code);

-- Postcodes in canonical form: upper case, one space before the inward code ("AL1 1AA").
CREATE TABLE postcodes (
  postcode text PRIMARY KEY,
  lsoa21_code text NOT NULL,
  easting integer,
  northing integer
);
CREATE INDEX postcodes_lsoa ON postcodes (lsoa21_code);

CREATE TABLE reference_data_loads (
  dataset text PRIMARY KEY,
  source text NOT NULL,
  rows integer NOT NULL,
  loaded_at timestamptz NOT NULL DEFAULT now()
);

-- The person record. Codes follow the DfE lists used by the CIN census and SSDA903.
ALTER TABLE people
  ADD COLUMN preferred_name text,
  ADD COLUMN expected_date_of_birth date,
  ADD COLUMN sex text CHECK (sex IN ('M', 'F', 'U')),
  ADD COLUMN gender_identity text,
  ADD COLUMN pronouns text,
  ADD COLUMN ethnicity text CHECK (ethnicity IN ('WBRI','WIRI','WIRT','WOTH','WROM','MWBC','MWBA','MWAS','MOTH',
    'AIND','APKN','ABAN','AOTH','BCRB','BAFR','BOTH','CHNE','OOTH','REFU','NOBT')),
  ADD COLUMN first_language text,
  ADD COLUMN interpreter_needed boolean NOT NULL DEFAULT false,
  ADD COLUMN religion text,
  ADD COLUMN disabilities text[] NOT NULL DEFAULT '{}',
  ADD COLUMN immigration_status text,
  ADD COLUMN uasc boolean NOT NULL DEFAULT false,
  ADD COLUMN date_of_death date,
  ADD COLUMN nhs_number text CHECK (nhs_number ~ '^[0-9]{10}$'),
  ADD COLUMN upn text CHECK (upn ~ '^[A-Z][0-9]{11}[0-9A-Z]$'),
  ADD COLUMN upn_unknown_reason text CHECK (upn_unknown_reason IN ('UN1','UN2','UN3','UN4','UN5','UN6','UN7')),
  ADD COLUMN consistent_child_id text,
  ADD COLUMN consistent_child_id_missing_reason text,
  ADD COLUMN council_person_id text,
  ADD COLUMN is_child boolean NOT NULL DEFAULT true,
  ADD COLUMN merged_into uuid REFERENCES people(id),
  ADD CONSTRAINT people_death_after_birth CHECK (date_of_death IS NULL OR date_of_birth IS NULL OR date_of_death >= date_of_birth),
  ADD CONSTRAINT people_born_or_expected CHECK (date_of_birth IS NULL OR expected_date_of_birth IS NULL);

-- Phonetic keys (double metaphone) kept by trigger, so search finds sound-alikes on both engines.
ALTER TABLE people
  ADD COLUMN given_name_key text,
  ADD COLUMN family_name_key text,
  ADD COLUMN search_name text;

CREATE FUNCTION people_search_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.given_name_key := dmetaphone(NEW.given_name);
  NEW.family_name_key := dmetaphone(NEW.family_name);
  NEW.search_name := lower(NEW.given_name || ' ' || coalesce(NEW.preferred_name || ' ', '') || NEW.family_name);
  RETURN NEW;
END $$;
CREATE TRIGGER people_search_keys BEFORE INSERT OR UPDATE OF given_name, family_name, preferred_name ON people
  FOR EACH ROW EXECUTE FUNCTION people_search_keys();
UPDATE people SET given_name = given_name;

CREATE INDEX people_search_name_trgm ON people USING gin (search_name gin_trgm_ops);
CREATE INDEX people_family_key ON people (family_name_key);
CREATE INDEX people_given_key ON people (given_name_key);
CREATE INDEX people_dob ON people (date_of_birth);
CREATE UNIQUE INDEX people_nhs_number ON people (nhs_number) WHERE nhs_number IS NOT NULL AND merged_into IS NULL;
CREATE INDEX people_upn ON people (upn) WHERE upn IS NOT NULL;
CREATE INDEX people_council_id ON people (organisation_id, council_person_id) WHERE council_person_id IS NOT NULL;

-- Previous names, aliases and names at birth.
CREATE TABLE person_names (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id uuid NOT NULL REFERENCES people(id),
  kind text NOT NULL CHECK (kind IN ('previous', 'birth', 'alias')),
  given_name text NOT NULL,
  family_name text NOT NULL,
  used_until date,
  search_name text GENERATED ALWAYS AS (lower(given_name || ' ' || family_name)) STORED,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX person_names_person ON person_names (person_id);
CREATE INDEX person_names_search_trgm ON person_names USING gin (search_name gin_trgm_ops);

-- Addresses over time. The neighbourhood is looked up from the postcode when the address is saved.
CREATE TABLE person_addresses (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id uuid NOT NULL REFERENCES people(id),
  line1 text NOT NULL,
  line2 text,
  town text,
  postcode text NOT NULL,
  lsoa21_code text,
  started_on date NOT NULL,
  ended_on date,
  -- A placement address, for example, that must never be shown to the birth family.
  hidden_from_family boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE INDEX person_addresses_person ON person_addresses (person_id);
CREATE INDEX person_addresses_postcode ON person_addresses (postcode);

-- "related_person is <kind> of person": mother, father, step-parent, sibling, half-sibling,
-- grandparent, aunt or uncle, kinship carer, friend of the family, former foster carer, … Each
-- relationship is stored once; the inverse is derived (see src/modules/people/relationships.ts).
CREATE TABLE relationships (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id uuid NOT NULL REFERENCES people(id),
  related_person_id uuid NOT NULL REFERENCES people(id),
  kind text NOT NULL,
  -- Whether related_person holds parental responsibility for person.
  parental_responsibility boolean NOT NULL DEFAULT false,
  -- Part of the family network: someone who could help, care or be at a family meeting.
  in_family_network boolean NOT NULL DEFAULT false,
  network_note text,
  started_on date,
  ended_on date,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (person_id <> related_person_id),
  CHECK (ended_on IS NULL OR started_on IS NULL OR ended_on >= started_on)
);
CREATE INDEX relationships_person ON relationships (person_id);
CREATE INDEX relationships_related ON relationships (related_person_id);

-- Professionals involved with a child: school, GP, health visitor, and so on.
CREATE TABLE professionals_involved (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id uuid NOT NULL REFERENCES people(id),
  role text NOT NULL,
  name text NOT NULL,
  organisation text,
  phone text,
  email text,
  started_on date,
  ended_on date,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX professionals_involved_person ON professionals_involved (person_id);

-- Restricted records: only the named users see more than the name.
CREATE TABLE person_restrictions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id uuid NOT NULL REFERENCES people(id),
  category text NOT NULL CHECK (category IN ('adoption', 'staff', 'staff_relative', 'high_profile', 'domestic_abuse_risk')),
  reason text NOT NULL,
  approved_by uuid REFERENCES users(id),
  review_on date,
  created_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz
);
CREATE INDEX person_restrictions_person ON person_restrictions (person_id) WHERE ended_at IS NULL;

CREATE TABLE person_restriction_users (
  restriction_id uuid NOT NULL REFERENCES person_restrictions(id),
  user_id uuid NOT NULL REFERENCES users(id),
  PRIMARY KEY (restriction_id, user_id)
);

-- Merges: which rows moved from the merged record to the kept one, so a merge can be undone exactly.
CREATE TABLE person_merges (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kept_person_id uuid NOT NULL REFERENCES people(id),
  merged_person_id uuid NOT NULL REFERENCES people(id),
  moved jsonb NOT NULL,
  merged_by uuid NOT NULL REFERENCES users(id),
  merged_at timestamptz NOT NULL,
  undone_by uuid REFERENCES users(id),
  undone_at timestamptz
);
CREATE INDEX person_merges_people ON person_merges (kept_person_id, merged_person_id);

-- Pairs a practitioner has confirmed are different people, so the duplicate report stops offering them.
CREATE TABLE person_not_duplicates (
  person_a uuid NOT NULL REFERENCES people(id),
  person_b uuid NOT NULL REFERENCES people(id),
  decided_by uuid NOT NULL REFERENCES users(id),
  decided_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (person_a, person_b),
  CHECK (person_a < person_b)
);

INSERT INTO role_permissions (role_id, resource, action, scope) VALUES
  ('practitioner', 'person', 'create', 'authority'),
  ('team_manager', 'person', 'create', 'authority'),
  ('team_manager', 'person', 'merge', 'team'),
  ('administrator', 'person', 'merge', 'authority'),
  ('team_manager', 'person', 'restrict', 'team'),
  ('senior_leader', 'person', 'restrict', 'authority');
