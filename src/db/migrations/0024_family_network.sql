-- Family network meetings from offer to review, the family network support package, and practical
-- and financial help as requests with a decision (section 17 payments, help in kind, welfare-rights
-- referrals with the income gained).

-- The meeting's lifecycle, on the offer it grew from (0008_protection.sql).
ALTER TABLE family_network_meetings
  ADD COLUMN coordinator_name text,
  ADD COLUMN coordinator_organisation text,
  ADD COLUMN coordinator_assigned_on date,
  -- Preparation: who in the network was contacted (one a line as typed), private family time, when and where.
  ADD COLUMN network_contacted text[] NOT NULL DEFAULT '{}',
  ADD COLUMN private_time_agreed boolean,
  ADD COLUMN planned_on date,
  ADD COLUMN venue text,
  -- The meeting: who came.
  ADD COLUMN attended text[] NOT NULL DEFAULT '{}',
  -- The family's plan (family_plan, in their words): whether the local authority agreed it, and why not.
  ADD COLUMN plan_recorded_on date,
  ADD COLUMN plan_agreed boolean,
  ADD COLUMN plan_not_agreed_reason text,
  ADD CONSTRAINT family_network_meetings_coordinator CHECK (
    coordinator_assigned_on IS NULL OR (response = 'accepted' AND coordinator_name IS NOT NULL
      AND coordinator_assigned_on >= offered_on)),
  ADD CONSTRAINT family_network_meetings_plan_agreed CHECK (
    plan_agreed IS NULL OR (family_plan IS NOT NULL AND held_on IS NOT NULL)),
  ADD CONSTRAINT family_network_meetings_not_agreed_reason CHECK (
    plan_agreed IS DISTINCT FROM false OR btrim(coalesce(plan_not_agreed_reason, '')) <> '');

-- Reviews of the family's plan.
CREATE TABLE family_network_plan_reviews (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  meeting_id uuid NOT NULL REFERENCES family_network_meetings(id),
  reviewed_on date NOT NULL,
  working text NOT NULL,
  not_working text,
  recorded_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX family_network_plan_reviews_meeting ON family_network_plan_reviews (meeting_id, reviewed_on);

-- The family network support package: what, who provides it, what it costs, from when to when.
CREATE TABLE family_network_support_items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  meeting_id uuid NOT NULL REFERENCES family_network_meetings(id),
  what text NOT NULL,
  provider_kind text NOT NULL CHECK (provider_kind IN ('network', 'service')),
  provider text NOT NULL,
  cost_pence integer CHECK (cost_pence >= 0),
  from_on date NOT NULL,
  to_on date,
  recorded_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (to_on IS NULL OR to_on >= from_on)
);
CREATE INDEX family_network_support_items_meeting ON family_network_support_items (meeting_id, from_on);

-- Practical and financial help as requests with a decision. Rows recorded before are help given:
-- status 'given', no request date, category from their kind.
ALTER TABLE practical_help
  ALTER COLUMN given_on DROP NOT NULL,
  ADD COLUMN status text NOT NULL DEFAULT 'given'
    CHECK (status IN ('requested', 'granted', 'refused', 'given')),
  ADD COLUMN category text NOT NULL DEFAULT 'in_kind'
    CHECK (category IN ('section17', 'in_kind', 'welfare_rights')),
  ADD COLUMN requested_on date,
  ADD COLUMN decided_on date,
  ADD COLUMN decided_by uuid REFERENCES users(id),
  ADD COLUMN refusal_reason text,
  ADD COLUMN income_gained_pence integer CHECK (income_gained_pence >= 0),
  ADD COLUMN welfare_outcome text
    CHECK (welfare_outcome IN ('income_gained', 'no_entitlement', 'not_taken_up', 'ongoing')),
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN version integer NOT NULL DEFAULT 1,
  ADD CONSTRAINT practical_help_given_on CHECK (status <> 'given' OR given_on IS NOT NULL),
  ADD CONSTRAINT practical_help_refusal_reason CHECK (
    status <> 'refused' OR btrim(coalesce(refusal_reason, '')) <> ''),
  ADD CONSTRAINT practical_help_decided CHECK (
    status NOT IN ('granted', 'refused') OR decided_on IS NOT NULL),
  ADD CONSTRAINT practical_help_order CHECK (
    (decided_on IS NULL OR requested_on IS NULL OR decided_on >= requested_on)
    AND (given_on IS NULL OR requested_on IS NULL OR given_on >= requested_on));

UPDATE practical_help SET category = CASE
  WHEN kind = 'cash' THEN 'section17'
  WHEN kind IN ('debt_advice', 'benefits_advice') THEN 'welfare_rights'
  ELSE 'in_kind' END;

CREATE INDEX practical_help_requested ON practical_help (coalesce(requested_on, given_on));
