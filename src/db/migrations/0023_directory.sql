-- The local services directory, published and consumed as Open Referral UK (the UK profile of the
-- Human Services Data Specification, version 3), and closed-loop referrals from a child's plan to a
-- service with the family's consent and the outcome coming back.
--
-- The directory is public information about services (never about children or families): the
-- organizations that run them, where and when they run, for which ages, in which languages, and
-- their categories as taxonomy terms. Locations keep their postcode's centroid (British National
-- Grid, from the shipped `postcodes` table) for straight-line distances, and latitude/longitude for
-- the published feed. Rows imported from another directory's feed keep the feed's address in
-- `source` (Hearth's own rows have none).
-- Frozen once shipped: add a new migration instead of editing this one.

CREATE TABLE directory_taxonomies (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (length(name) > 0),
  description text NOT NULL,
  uri text,
  version text,
  source text
);

CREATE TABLE directory_taxonomy_terms (
  id uuid PRIMARY KEY,
  taxonomy_id uuid NOT NULL REFERENCES directory_taxonomies(id),
  code text NOT NULL,
  name text NOT NULL CHECK (length(name) > 0),
  description text NOT NULL,
  UNIQUE (taxonomy_id, code)
);

-- Hearth's own categories (the same ids in every Hearth, as in src/modules/directory/codes.ts).
INSERT INTO directory_taxonomies (id, name, description) VALUES
  ('3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b60', 'Hearth local service categories',
   'Categories of local services for children and families used by Hearth directories.');
INSERT INTO directory_taxonomy_terms (id, taxonomy_id, code, name, description) VALUES
  ('3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b61', '3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b60', 'family_hub', 'Family hubs',
   'A place to get help for families with children and young people aged 0 to 19.'),
  ('3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b62', '3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b60', 'food_bank', 'Food banks',
   'Emergency food and essentials for families who cannot afford them.'),
  ('3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b63', '3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b60', 'debt_welfare_advice',
   'Debt and welfare-rights advice',
   'Advice on debt, benefits and money, and help to claim what a family is entitled to.'),
  ('3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b64', '3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b60', 'parenting_group',
   'Parenting groups', 'Groups and courses for parents and carers.'),
  ('3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b65', '3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b60', 'youth_service', 'Youth services',
   'Youth clubs, youth work and activities for young people.'),
  ('3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b66', '3f0c2a5e-6b1d-4c8e-9a47-1d2e3f4a5b60', 'domestic_abuse',
   'Domestic abuse services', 'Support for adults and children affected by domestic abuse.');

CREATE TABLE directory_organizations (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (length(name) > 0),
  description text NOT NULL,
  email text,
  website text,
  source text
);

CREATE TABLE directory_services (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES directory_organizations(id),
  name text NOT NULL CHECK (length(name) > 0),
  description text NOT NULL,
  url text,
  email text,
  status text NOT NULL CHECK (status IN ('active', 'inactive', 'defunct', 'temporarily closed')),
  minimum_age integer CHECK (minimum_age BETWEEN 0 AND 120),
  maximum_age integer CHECK (maximum_age BETWEEN 0 AND 120),
  CHECK (minimum_age IS NULL OR maximum_age IS NULL OR minimum_age <= maximum_age),
  last_modified timestamptz NOT NULL DEFAULT now(),
  source text
);
CREATE INDEX directory_services_organization ON directory_services (organization_id);

CREATE TABLE directory_locations (
  id uuid PRIMARY KEY,
  name text,
  address_1 text NOT NULL,
  city text NOT NULL,
  postal_code text NOT NULL,
  latitude double precision,
  longitude double precision,
  easting integer,
  northing integer
);

CREATE TABLE directory_service_at_locations (
  id uuid PRIMARY KEY,
  service_id uuid NOT NULL REFERENCES directory_services(id) ON DELETE CASCADE,
  location_id uuid NOT NULL REFERENCES directory_locations(id),
  UNIQUE (service_id, location_id)
);
CREATE INDEX directory_service_at_locations_location ON directory_service_at_locations (location_id);

-- When a service runs: weekly on some days (RFC 5545 BYDAY codes, e.g. 'MO,WE'), from and to a
-- time of day (HH:MM, local time).
CREATE TABLE directory_schedules (
  id uuid PRIMARY KEY,
  service_id uuid NOT NULL REFERENCES directory_services(id) ON DELETE CASCADE,
  freq text NOT NULL DEFAULT 'WEEKLY' CHECK (freq IN ('WEEKLY', 'MONTHLY')),
  byday text NOT NULL CHECK (byday ~ '^(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*$'),
  opens_at text NOT NULL CHECK (opens_at ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  closes_at text NOT NULL CHECK (closes_at ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  CHECK (opens_at < closes_at),
  description text
);
CREATE INDEX directory_schedules_service ON directory_schedules (service_id);

-- Languages the service is offered in (ISO 639-1 codes, e.g. 'en', 'pl', 'ur').
CREATE TABLE directory_service_languages (
  id uuid PRIMARY KEY,
  service_id uuid NOT NULL REFERENCES directory_services(id) ON DELETE CASCADE,
  name text NOT NULL,
  code text NOT NULL CHECK (code ~ '^[a-z]{2,3}$'),
  UNIQUE (service_id, code)
);

-- A service's categories: Open Referral 'attributes' linking a service to taxonomy terms.
CREATE TABLE directory_service_terms (
  id uuid PRIMARY KEY,
  service_id uuid NOT NULL REFERENCES directory_services(id) ON DELETE CASCADE,
  taxonomy_term_id uuid NOT NULL REFERENCES directory_taxonomy_terms(id),
  UNIQUE (service_id, taxonomy_term_id)
);
CREATE INDEX directory_service_terms_term ON directory_service_terms (taxonomy_term_id);

-- A referral of a child's family to a local service, from the child's plan (and one of its goals)
-- or from the child's record. Never made without the family's consent: who gave it and when.
CREATE TABLE service_referrals (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  person_id uuid NOT NULL REFERENCES people(id),
  plan_id uuid REFERENCES plans(id),
  plan_goal_id uuid REFERENCES plan_goals(id) ON DELETE SET NULL,
  service_id uuid NOT NULL REFERENCES directory_services(id),
  reason text NOT NULL CHECK (length(reason) > 0),
  consent_given boolean NOT NULL CHECK (consent_given),
  consent_given_by text NOT NULL CHECK (length(consent_given_by) > 0),
  consent_given_on date NOT NULL,
  referred_on date NOT NULL,
  CHECK (consent_given_on <= referred_on),
  referred_by uuid NOT NULL REFERENCES users(id),
  status text NOT NULL DEFAULT 'sent'
    CHECK (status IN ('sent', 'accepted', 'declined', 'attended', 'helped')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX service_referrals_person ON service_referrals (person_id);
CREATE INDEX service_referrals_plan ON service_referrals (plan_id);
CREATE INDEX service_referrals_open ON service_referrals (organisation_id, referred_on)
  WHERE status IN ('sent', 'accepted', 'attended');

-- What came back from the service: accepted or declined, attended, helped; each with a note.
CREATE TABLE service_referral_outcomes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  referral_id uuid NOT NULL REFERENCES service_referrals(id),
  outcome text NOT NULL CHECK (outcome IN ('accepted', 'declined', 'attended', 'helped')),
  note text NOT NULL CHECK (length(note) > 0),
  occurred_on date NOT NULL,
  recorded_by uuid NOT NULL REFERENCES users(id),
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX service_referral_outcomes_referral ON service_referral_outcomes (referral_id, occurred_on);
