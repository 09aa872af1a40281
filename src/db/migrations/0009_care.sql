-- Children in care and leaving care, done with families (issue 6).
--
-- 0004_help.sql already models periods of care, legal statuses, placements, missing episodes, health
-- checks, permanence decisions and care leavers for the SSDA903. This adds what practice needs beside
-- the return: the placement's address and carer (never shown to the birth family when hidden), its
-- weekly cost and whether brothers and sisters live together; the link from a period of care to its
-- care plan; the plan for returning home, reviewed at every looked-after review; personal education
-- plans; and staying put. Every new column is nullable or defaulted (the synthetic generator writes
-- these tables without them).

ALTER TABLE placements
  -- The placement's address lines (the postcode is placements.postcode). Shown to staff only; never
  -- to the birth family while address_hidden_from_family is true.
  ADD COLUMN address text,
  -- The carers' or the home's name as the family would know it; hidden with the address.
  ADD COLUMN carer_name text,
  ADD COLUMN weekly_cost_pence integer CHECK (weekly_cost_pence IS NULL OR weekly_cost_pence >= 0),
  -- Brothers and sisters placed together: all of them, some, none, or the child has none in care.
  ADD COLUMN with_siblings text CHECK (with_siblings IN ('all', 'some', 'none', 'not_applicable')),
  -- Why the child moved, in words, beside the SSDA903 change_reason code.
  ADD COLUMN change_note text,
  ADD COLUMN recorded_by uuid REFERENCES users(id);

-- The care plan the period's looked-after reviews belong to (plans kind 'care').
ALTER TABLE care_periods ADD COLUMN care_plan_id uuid REFERENCES plans(id);

-- Each looked-after review (a plan_reviews row of the care plan, with its SSDA903 participation code)
-- and the plan for returning home, considered at every review with the family's view.
CREATE TABLE care_reviews (
  plan_review_id uuid PRIMARY KEY REFERENCES plan_reviews(id),
  care_period_id uuid NOT NULL REFERENCES care_periods(id),
  -- 1 for the first review of the period (within 20 working days), 2 three months later, then 6-monthly.
  sequence integer NOT NULL CHECK (sequence >= 1),
  due_on date NOT NULL,
  return_home_considered boolean NOT NULL,
  return_home_steps text,
  return_home_family_view text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (care_period_id, sequence)
);

-- Personal education plans (the virtual school's PEP meetings).
CREATE TABLE personal_education_plans (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id uuid NOT NULL REFERENCES people(id),
  care_period_id uuid NOT NULL REFERENCES care_periods(id),
  held_on date NOT NULL,
  note text,
  recorded_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX personal_education_plans_person ON personal_education_plans (person_id, held_on);

-- Staying put: a care leaver staying with their former foster carers after 18.
ALTER TABLE care_leavers
  ADD COLUMN staying_put_from date,
  ADD COLUMN staying_put_until date,
  ADD CONSTRAINT care_leavers_staying_put CHECK (staying_put_until IS NULL OR
    (staying_put_from IS NOT NULL AND staying_put_until >= staying_put_from));

-- Finding hidden placement addresses by postcode (the people export and the family map leave out any
-- address at one).
CREATE INDEX placements_hidden_postcode ON placements (upper(replace(postcode, ' ', '')))
  WHERE address_hidden_from_family;
