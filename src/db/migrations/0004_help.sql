-- One continuous record of help, from the first request to closure.
--
-- A child's help is ONE episode (help_episodes) whatever it becomes: family help, assessment, child in
-- need, child protection, looked after, care leaver. Stepping up or down writes a row in
-- episode_status_changes and never opens a new episode. The statutory returns are derived from these
-- practice records (see docs/returns-mapping.md): every CIN census and SSDA903 field has a home here.
-- Frozen once shipped: add a new migration instead of editing this one.

-- The council's published threshold guidance ("continuum of need"), versioned: each front-door
-- decision records the version it applied.
CREATE TABLE threshold_guidance_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  version text NOT NULL,
  title text NOT NULL,
  published_on date NOT NULL,
  url text,
  UNIQUE (organisation_id, version)
);

-- The episode of help. CIN census referral facts live on cin_referrals (one per spell of statutory
-- involvement inside the episode); this row holds the whole journey.
CREATE TABLE help_episodes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  person_id uuid NOT NULL REFERENCES people(id),
  started_on date NOT NULL,
  status text NOT NULL CHECK (status IN ('family_help', 'assessment', 'child_in_need', 'child_protection',
    'looked_after', 'care_leaver', 'closed')),
  status_since date NOT NULL,
  closed_on date,
  closure_reason text CHECK (closure_reason IN ('RC1','RC2','RC3','RC4','RC5','RC6','RC7','RC8','RC9')),
  closure_note text,
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CHECK ((status = 'closed') = (closed_on IS NOT NULL)),
  CHECK (closed_on IS NULL OR closure_reason IS NOT NULL),
  CHECK (closed_on IS NULL OR closed_on >= started_on)
);
-- At most one open episode per child: help continues in it.
CREATE UNIQUE INDEX help_episodes_one_open ON help_episodes (person_id) WHERE closed_on IS NULL;
CREATE INDEX help_episodes_person ON help_episodes (person_id, started_on);
CREATE INDEX help_episodes_status ON help_episodes (organisation_id, status) WHERE closed_on IS NULL;

CREATE TABLE episode_status_changes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  episode_id uuid NOT NULL REFERENCES help_episodes(id),
  from_status text,
  to_status text NOT NULL,
  changed_on date NOT NULL,
  reason text NOT NULL,
  changed_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX episode_status_changes_episode ON episode_status_changes (episode_id, changed_on);

-- The front door: a request for help (a "contact" in Annex A; a "referral" once it goes to
-- children's social care). Drafts live here too (status 'draft'), never in the session.
CREATE TABLE help_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  person_id uuid REFERENCES people(id),
  episode_id uuid REFERENCES help_episodes(id),
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'awaiting_decision', 'decided', 'withdrawn')),
  received_at timestamptz,
  requester_kind text CHECK (requester_kind IN ('professional', 'parent', 'young_person', 'relative',
    'neighbour', 'anonymous', 'other')),
  requester_name text,
  requester_role text,
  requester_organisation text,
  requester_contact text,
  referral_source text CHECK (referral_source IN ('1A','1B','1C','1D','2A','2B','3A','3B','3C','3D','3E','3F',
    '4','5A','5B','5C','5D','6','7','8','9','10')),
  worry text,
  family_view text,
  already_tried text,
  will_keep_doing text,
  family_knows boolean,
  family_consents boolean,
  primary_need text CHECK (primary_need IN ('N0','N1','N2','N3','N4','N5','N6','N7','N8','N9')),
  -- The decision (null until decided).
  decision text CHECK (decision IN ('information_advice', 'community_service', 'family_help', 'assessment',
    'strategy_discussion')),
  decision_service text,
  decision_reason text,
  decision_threshold_id uuid REFERENCES threshold_guidance_versions(id),
  decision_help_offered_instead text,
  decided_by uuid REFERENCES users(id),
  decided_at timestamptz,
  feedback_to_requester text,
  feedback_given_at timestamptz,
  team_id uuid REFERENCES teams(id),
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CHECK (status = 'draft' OR received_at IS NOT NULL),
  CHECK ((status = 'decided') = (decision IS NOT NULL)),
  CHECK (decision IS NULL OR (decided_by IS NOT NULL AND decided_at IS NOT NULL AND decision_reason IS NOT NULL
    AND decision_threshold_id IS NOT NULL))
);
CREATE INDEX help_requests_person ON help_requests (person_id, received_at);
CREATE INDEX help_requests_waiting ON help_requests (organisation_id, received_at) WHERE status = 'awaiting_decision';
CREATE INDEX help_requests_episode ON help_requests (episode_id);

-- CIN census CINdetails: one spell of children's social care involvement within the episode, from
-- the referral (a front-door decision to assess or hold a strategy discussion, or a step up from
-- family help) to its closure (step down to family help, or closing the episode).
CREATE TABLE cin_referrals (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  episode_id uuid NOT NULL REFERENCES help_episodes(id),
  request_id uuid REFERENCES help_requests(id),
  referral_date date NOT NULL,
  referral_source text NOT NULL CHECK (referral_source IN ('1A','1B','1C','1D','2A','2B','3A','3B','3C','3D','3E',
    '3F','4','5A','5B','5C','5D','6','7','8','9','10')),
  primary_need text NOT NULL CHECK (primary_need IN ('N0','N1','N2','N3','N4','N5','N6','N7','N8','N9')),
  referral_nfa boolean NOT NULL DEFAULT false,
  closed_on date,
  closure_reason text CHECK (closure_reason IN ('RC1','RC2','RC3','RC4','RC5','RC6','RC7','RC8','RC9')),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((closed_on IS NULL) = (closure_reason IS NULL)),
  CHECK (closed_on IS NULL OR closed_on >= referral_date)
);
CREATE INDEX cin_referrals_episode ON cin_referrals (episode_id, referral_date);
CREATE UNIQUE INDEX cin_referrals_one_open ON cin_referrals (episode_id) WHERE closed_on IS NULL;

-- Allocation (existing table, person level, used by record scope) gains the episode, the lead
-- practitioner flag and the reason for each change (SSDA903 SW_REASON codes plus words).
ALTER TABLE allocations
  ADD COLUMN episode_id uuid REFERENCES help_episodes(id),
  ADD COLUMN is_lead boolean NOT NULL DEFAULT true,
  ADD COLUMN practitioner_role text CHECK (practitioner_role IN ('social_worker', 'family_help_worker',
    'personal_adviser', 'other')),
  ADD COLUMN change_reason text CHECK (change_reason IN ('MANAGE','FCONTA','LEFTRL','ORGRST','TSPROC','ABSENC',
    'CHCHAN','PCCHAN','SWDIED','OTHERS')),
  ADD COLUMN change_note text,
  ADD COLUMN allocated_by uuid REFERENCES users(id);
CREATE INDEX allocations_episode ON allocations (episode_id, started_at);
CREATE INDEX allocations_person_history ON allocations (person_id, started_at);

-- Assessments: child and family assessments (CIN census Assessments) and family help assessments
-- (Annex A list 2). The family's own account sits beside the professional analysis.
CREATE TABLE assessments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  episode_id uuid NOT NULL REFERENCES help_episodes(id),
  person_id uuid NOT NULL REFERENCES people(id),
  cin_referral_id uuid REFERENCES cin_referrals(id),
  kind text NOT NULL CHECK (kind IN ('child_and_family', 'family_help')),
  status text NOT NULL DEFAULT 'in_progress' CHECK (status IN ('in_progress', 'submitted', 'authorised')),
  started_on date NOT NULL,
  due_on date NOT NULL,
  internal_review_on date,
  completed_on date,
  authorised_on date,
  authorised_by uuid REFERENCES users(id),
  organisation_name text,
  child_seen boolean,
  family_account text,
  child_views text,
  professional_analysis text,
  outcome text CHECK (outcome IN ('no_further_action', 'family_help', 'child_in_need_plan', 'strategy_discussion',
    'looked_after', 'other_service')),
  outcome_note text,
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CHECK ((status = 'authorised') = (authorised_on IS NOT NULL)),
  CHECK (authorised_on IS NULL OR authorised_by IS NOT NULL),
  CHECK (completed_on IS NULL OR completed_on >= started_on)
);
CREATE INDEX assessments_episode ON assessments (episode_id, started_on);
CREATE INDEX assessments_person ON assessments (person_id);

-- CIN census FactorsIdentifiedAtAssessment.
CREATE TABLE assessment_factors (
  assessment_id uuid NOT NULL REFERENCES assessments(id),
  factor text NOT NULL CHECK (factor IN ('1A','1B','1C','2A','2B','2C','3A','3B','3C','4A','4B','4C','5A','5B',
    '5C','6A','6B','6C','7A','8B','8C','8D','8E','8F','9A','10A','11A','12A','13A','14A','15A','16A','17A','18A',
    '18B','18C','19A','19B','19C','20','21','22A','23A','24A')),
  PRIMARY KEY (assessment_id, factor)
);

-- Poverty and resources: material circumstances recorded as needs (and the help given), never risk.
CREATE TABLE assessment_circumstances (
  assessment_id uuid NOT NULL REFERENCES assessments(id),
  area text NOT NULL CHECK (area IN ('income', 'debt', 'housing', 'food', 'fuel', 'digital')),
  need_identified boolean NOT NULL,
  detail text,
  PRIMARY KEY (assessment_id, area)
);

-- Plans written with the family. Child in need plans give the CIN census CINPlanDates; child
-- protection plans carry the CIN census ChildProtectionPlans fields; care and pathway plans serve
-- looked-after children and care leavers.
CREATE TABLE plans (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  episode_id uuid NOT NULL REFERENCES help_episodes(id),
  person_id uuid NOT NULL REFERENCES people(id),
  cin_referral_id uuid REFERENCES cin_referrals(id),
  kind text NOT NULL CHECK (kind IN ('family_help', 'child_in_need', 'child_protection', 'care', 'pathway')),
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'ended')),
  started_on date,
  ended_on date,
  end_reason text,
  review_interval_days integer CHECK (review_interval_days > 0),
  next_review_on date,
  family_words text,
  child_words text,
  initial_category text CHECK (initial_category IN ('NEG','PHY','SAB','EMO','MUL')),
  latest_category text CHECK (latest_category IN ('NEG','PHY','SAB','EMO','MUL')),
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CHECK (status = 'draft' OR started_on IS NOT NULL),
  CHECK ((status = 'ended') = (ended_on IS NOT NULL)),
  CHECK (ended_on IS NULL OR ended_on >= started_on),
  CHECK (kind <> 'child_protection' OR status = 'draft' OR initial_category IS NOT NULL)
);
CREATE INDEX plans_episode ON plans (episode_id, kind, started_on);
CREATE INDEX plans_person ON plans (person_id, kind);

CREATE TABLE plan_goals (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  plan_id uuid NOT NULL REFERENCES plans(id),
  position integer NOT NULL,
  goal text NOT NULL,
  who text NOT NULL,
  by_when date,
  progress text CHECK (progress IN ('not_started', 'in_progress', 'achieved', 'stopped')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX plan_goals_plan ON plan_goals (plan_id, position);

-- Reviews of plans: the family's view is recorded at each; CP review conferences are `conferences`.
CREATE TABLE plan_reviews (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  plan_id uuid NOT NULL REFERENCES plans(id),
  reviewed_on date NOT NULL,
  family_view text NOT NULL,
  child_view text,
  progress_summary text,
  decision text NOT NULL CHECK (decision IN ('continue', 'change_plan', 'step_up', 'step_down', 'end_plan')),
  next_review_on date,
  -- SSDA903 REVIEW_CODE, for looked-after children's reviews.
  participation text CHECK (participation IN ('PN0','PN1','PN2','PN3','PN4','PN5','PN6','PN7')),
  recorded_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plan_reviews_plan ON plan_reviews (plan_id, reviewed_on);

-- Visits (CIN, CP and looked-after statutory visits among them) and notes.
CREATE TABLE visits (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  episode_id uuid NOT NULL REFERENCES help_episodes(id),
  person_id uuid NOT NULL REFERENCES people(id),
  visited_on date NOT NULL,
  kind text NOT NULL CHECK (kind IN ('home', 'school', 'office', 'placement', 'other')),
  statutory boolean NOT NULL DEFAULT false,
  child_seen boolean NOT NULL,
  child_seen_alone boolean NOT NULL DEFAULT false,
  bedroom_seen boolean,
  childs_words text,
  what_happened text NOT NULL,
  next_visit_due_on date,
  recorded_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CHECK (child_seen OR NOT child_seen_alone)
);
CREATE INDEX visits_episode ON visits (episode_id, visited_on);
CREATE INDEX visits_person ON visits (person_id, visited_on);

CREATE TABLE practice_notes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  episode_id uuid NOT NULL REFERENCES help_episodes(id),
  person_id uuid NOT NULL REFERENCES people(id),
  occurred_at timestamptz NOT NULL,
  kind text NOT NULL CHECK (kind IN ('conversation', 'meeting', 'phone_call', 'message', 'observation', 'management_oversight', 'other')),
  title text NOT NULL,
  body text NOT NULL,
  recorded_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX practice_notes_episode ON practice_notes (episode_id, occurred_at);

-- The chronology: significant events written automatically by the services that record them
-- (source_type/source_id point back), plus entries practitioners add themselves.
CREATE TABLE chronology_entries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id uuid NOT NULL REFERENCES people(id),
  episode_id uuid REFERENCES help_episodes(id),
  occurred_on date NOT NULL,
  kind text NOT NULL CHECK (kind IN ('automatic', 'curated')),
  event text NOT NULL,
  summary text NOT NULL,
  source_type text,
  source_id uuid,
  added_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chronology_person ON chronology_entries (person_id, occurred_on, created_at);

CREATE TABLE documents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id uuid NOT NULL REFERENCES people(id),
  episode_id uuid REFERENCES help_episodes(id),
  title text NOT NULL,
  filename text NOT NULL,
  content_type text NOT NULL,
  size_bytes integer NOT NULL CHECK (size_bytes >= 0),
  sha256 text NOT NULL,
  content bytea NOT NULL,
  uploaded_by uuid REFERENCES users(id),
  uploaded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_person ON documents (person_id, uploaded_at);

-- Work trays: tasks with due dates in working days (England and Wales bank holidays).
CREATE TABLE tasks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  person_id uuid REFERENCES people(id),
  episode_id uuid REFERENCES help_episodes(id),
  kind text NOT NULL,
  title text NOT NULL,
  due_on date NOT NULL,
  assigned_user_id uuid REFERENCES users(id),
  assigned_team_id uuid REFERENCES teams(id),
  source_type text,
  source_id uuid,
  completed_at timestamptz,
  completed_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tasks_user_open ON tasks (assigned_user_id, due_on) WHERE completed_at IS NULL;
CREATE INDEX tasks_team_open ON tasks (assigned_team_id, due_on) WHERE completed_at IS NULL;
CREATE INDEX tasks_source ON tasks (source_type, source_id) WHERE completed_at IS NULL;
CREATE INDEX tasks_episode ON tasks (episode_id);

-- Practical and financial help, counted (poverty-aware practice).
CREATE TABLE practical_help (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  episode_id uuid NOT NULL REFERENCES help_episodes(id),
  person_id uuid NOT NULL REFERENCES people(id),
  given_on date NOT NULL,
  kind text NOT NULL CHECK (kind IN ('cash', 'food', 'fuel', 'housing', 'furniture', 'clothing', 'travel',
    'childcare', 'digital', 'debt_advice', 'benefits_advice', 'other')),
  amount_pence integer CHECK (amount_pence >= 0),
  description text NOT NULL,
  recorded_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX practical_help_episode ON practical_help (episode_id, given_on);

-- ---------------------------------------------------------------------------------------------------
-- Protection and care: modelled now so the returns can be derived; their pages come later.

-- Strategy discussions and section 47 enquiries (CIN census Section47).
CREATE TABLE strategy_discussions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  episode_id uuid NOT NULL REFERENCES help_episodes(id),
  person_id uuid NOT NULL REFERENCES people(id),
  held_on date NOT NULL,
  agencies text[] NOT NULL DEFAULT '{}',
  decision text NOT NULL CHECK (decision IN ('section47', 'no_section47')),
  reason text NOT NULL,
  recorded_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX strategy_discussions_episode ON strategy_discussions (episode_id);

CREATE TABLE section47_enquiries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  episode_id uuid NOT NULL REFERENCES help_episodes(id),
  person_id uuid NOT NULL REFERENCES people(id),
  cin_referral_id uuid REFERENCES cin_referrals(id),
  strategy_discussion_id uuid REFERENCES strategy_discussions(id),
  started_on date NOT NULL,
  completed_on date,
  icpc_target_on date,
  icpc_not_required boolean,
  outcome text CHECK (outcome IN ('no_further_action', 'continue_child_in_need', 'initial_conference', 'other')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CHECK (completed_on IS NULL OR completed_on >= started_on)
);
CREATE INDEX section47_episode ON section47_enquiries (episode_id, started_on);

-- Child protection conferences (initial, review, transfer-in).
CREATE TABLE conferences (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  episode_id uuid NOT NULL REFERENCES help_episodes(id),
  person_id uuid NOT NULL REFERENCES people(id),
  section47_id uuid REFERENCES section47_enquiries(id),
  plan_id uuid REFERENCES plans(id),
  kind text NOT NULL CHECK (kind IN ('initial', 'review', 'transfer_in')),
  held_on date NOT NULL,
  quorate boolean,
  outcome_plan boolean,
  category text CHECK (category IN ('NEG','PHY','SAB','EMO','MUL')),
  family_view text,
  participation text CHECK (participation IN ('PN0','PN1','PN2','PN3','PN4','PN5','PN6','PN7')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conferences_episode ON conferences (episode_id, held_on);

-- Pre-proceedings (Public Law Outline) and family group decision making: CIN census 2026-27.
CREATE TABLE pre_proceedings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  episode_id uuid NOT NULL REFERENCES help_episodes(id),
  person_id uuid NOT NULL REFERENCES people(id),
  started_on date NOT NULL,
  letter_before_proceedings_on date,
  family_meeting_offered boolean,
  family_meeting_held boolean,
  initial_meeting_on date,
  review_meetings integer NOT NULL DEFAULT 0,
  decision_on date,
  outcome text,
  court_application_on date,
  letter_initial_cp_on date,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Periods of care (SSDA903). Episodes of the return are derived from the legal statuses and
-- placements within a period: a new 903 episode starts whenever either changes (RNE derived).
CREATE TABLE care_periods (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  episode_id uuid NOT NULL REFERENCES help_episodes(id),
  person_id uuid NOT NULL REFERENCES people(id),
  started_on date NOT NULL,
  ended_on date,
  -- SSDA903 CIN: the category of need at entry (N1-N8).
  category_of_need text NOT NULL CHECK (category_of_need IN ('N1','N2','N3','N4','N5','N6','N7','N8')),
  -- SSDA903 REC for the end of the period.
  reason_ceased text CHECK (reason_ceased IN ('E11','E12','E2','E3','E4A','E4B','E13','E41','E45','E46','E47',
    'E48','E5','E6','E7','E8','E9','E14','E15','E16','E17')),
  home_postcode text,
  -- SSDA903 PrevPerm.
  previous_permanence text CHECK (previous_permanence IN ('P1','P2','P3','P4','Z1')),
  previous_permanence_la text,
  previous_permanence_on date,
  permanence_plan text CHECK (permanence_plan IN ('return_to_family', 'adoption', 'sgo_cao', 'supported_living',
    'long_term_residential', 'long_term_fostering', 'other')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CHECK ((ended_on IS NULL) = (reason_ceased IS NULL)),
  CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE INDEX care_periods_person ON care_periods (person_id, started_on);
CREATE INDEX care_periods_episode ON care_periods (episode_id);

CREATE TABLE legal_statuses (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  care_period_id uuid NOT NULL REFERENCES care_periods(id),
  code text NOT NULL CHECK (code IN ('C1','C2','D1','E1','V2','V3','V4','L1','L2','L3','J1','J2','J3')),
  started_on date NOT NULL,
  ended_on date,
  CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE INDEX legal_statuses_period ON legal_statuses (care_period_id, started_on);

CREATE TABLE placements (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  care_period_id uuid NOT NULL REFERENCES care_periods(id),
  placement_type text NOT NULL CHECK (placement_type IN ('A3','A4','A5','A6','K1','K2','K3','P1','P3','R1','R2',
    'R3','R5','S1','T0','T1','T2','T3','T4','U1','U2','U3','U4','U5','U6','Z11','Z12','Z13','Z14')),
  provider text CHECK (provider IN ('PR0','PR1','PR2','PR3','PR4','PR5')),
  provider_name text,
  carer_person_id uuid REFERENCES people(id),
  urn text,
  postcode text,
  address_hidden_from_family boolean NOT NULL DEFAULT true,
  started_on date NOT NULL,
  ended_on date,
  change_reason text CHECK (change_reason IN ('CARPL','CLOSE','ALLEG','STAND','APPRR','CREQB','CREQO','CHILD',
    'LAREQ','PLACE','CUSTOD','OTHER')),
  -- Same carer, different provider arrangement (RNE B/U) rather than a move.
  same_carer_as_previous boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE INDEX placements_period ON placements (care_period_id, started_on);

-- Statutory reviews of looked-after children (SSDA903 Reviews) and visits by the independent
-- reviewing officer live in plan_reviews (care plan, with participation) and visits.

CREATE TABLE missing_episodes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id uuid NOT NULL REFERENCES people(id),
  care_period_id uuid REFERENCES care_periods(id),
  kind text NOT NULL CHECK (kind IN ('M', 'A')),
  started_on date NOT NULL,
  ended_on date,
  return_interview_offered boolean,
  return_interview_accepted boolean,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE INDEX missing_person ON missing_episodes (person_id, started_on);

-- SSDA903 OC2 inputs: health and dental checks, immunisations, SDQ, convictions, substance misuse.
CREATE TABLE health_checks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id uuid NOT NULL REFERENCES people(id),
  kind text NOT NULL CHECK (kind IN ('health_assessment', 'dental_check', 'immunisations_up_to_date', 'sdq',
    'conviction', 'substance_misuse', 'substance_intervention_offered', 'substance_intervention_received')),
  on_date date NOT NULL,
  sdq_score integer CHECK (sdq_score BETWEEN 0 AND 40),
  sdq_reason text CHECK (sdq_reason IN ('SDQ1','SDQ2','SDQ3','SDQ4','SDQ5')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX health_checks_person ON health_checks (person_id, kind, on_date);

-- Adoption and other permanence (SSDA903 AD1 and PlacedAdoption; Annex A list 10).
CREATE TABLE permanence_decisions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id uuid NOT NULL REFERENCES people(id),
  care_period_id uuid REFERENCES care_periods(id),
  decision_on date NOT NULL,
  placement_order_on date,
  matched_on date,
  placed_on date,
  ffa_placed_on date,
  order_on date,
  ceased_on date,
  ceased_reason text CHECK (ceased_reason IN ('RD1','RD2','RD3','RD4')),
  adopted_by_foster_carer boolean,
  number_of_adopters smallint CHECK (number_of_adopters IN (1, 2)),
  adopter_sex text CHECK (adopter_sex IN ('M1','F1','MM','FF','MF')),
  adopter_legal_status text CHECK (adopter_legal_status IN ('L0','L11','L12','L2','L3','L4')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX permanence_person ON permanence_decisions (person_id);

-- Care leavers (SSDA903 OC3; Annex A list 9).
CREATE TABLE care_leavers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id uuid NOT NULL REFERENCES people(id),
  episode_id uuid REFERENCES help_episodes(id),
  eligibility text NOT NULL CHECK (eligibility IN ('relevant', 'former_relevant', 'qualifying', 'eligible')),
  personal_adviser_user_id uuid REFERENCES users(id),
  pathway_plan_reviewed_on date,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX care_leavers_person ON care_leavers (person_id);

CREATE TABLE care_leaver_contacts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id uuid NOT NULL REFERENCES people(id),
  contacted_on date NOT NULL,
  in_touch text NOT NULL CHECK (in_touch IN ('YES','NO','DIED','REFU','NREQ','RHOM')),
  activity text CHECK (activity IN ('F1','P1','F2','P2','F4','P4','F5','P5','G4','G5','G6','0')),
  accommodation text CHECK (accommodation ~ '^([BCDEGHKRTUVWYZ][12]|S2|X2|0)$'),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX care_leaver_contacts_person ON care_leaver_contacts (person_id, contacted_on);

-- Deprivation of liberty orders (SSDA903 DoLo, 2026-27).
CREATE TABLE liberty_orders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id uuid NOT NULL REFERENCES people(id),
  started_on date NOT NULL,
  ended_on date,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ended_on IS NULL OR ended_on >= started_on)
);

-- UASC: SSDA903 DUC (date UASC status ceased); MOTHER/MC_DOB are derived from relationships.
ALTER TABLE people ADD COLUMN uasc_ceased_on date;

-- Permissions for help records. Reading and writing follow the child's record scope (an active
-- allocation within the scope); a request for help can be made about any child of the council.
INSERT INTO role_permissions (role_id, resource, action, scope) VALUES
  ('practitioner', 'help', 'read', 'team'),
  ('practitioner', 'help', 'write', 'team'),
  ('practitioner', 'help', 'request', 'authority'),
  ('team_manager', 'help', 'read', 'team'),
  ('team_manager', 'help', 'write', 'team'),
  ('team_manager', 'help', 'request', 'authority'),
  ('team_manager', 'help', 'decide', 'team'),
  ('team_manager', 'help', 'authorise', 'team'),
  ('team_manager', 'help', 'allocate', 'team'),
  ('service_manager', 'help', 'read', 'locality'),
  ('service_manager', 'help', 'request', 'authority'),
  ('senior_leader', 'help', 'read', 'authority');
