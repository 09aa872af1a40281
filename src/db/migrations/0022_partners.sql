-- Partner agencies inside Hearth and information sharing that is recorded.
--
-- Partner practitioners (a school's designated safeguarding lead, a health visitor, a police officer)
-- are staff accounts in partner organisations. They reach a child only through:
--   * an active membership of the child's team around the family, on a lawful basis (the family's
--     consent, which stops when withdrawn or expired, or a safeguarding duty); or
--   * membership of a multi-agency team (e.g. a multi-agency child protection team) to which the
--     child is allocated.
-- Their role holds permissions at the new scope 'partner', which person-scope.ts turns into exactly
-- those two routes. Consent records, decisions to share or not to share, progress updates on a
-- shared plan and each agency's contribution to a section 47 enquiry are records of their own.
-- Frozen once shipped: add a new migration instead of editing this one.

-- The 'partner' scope: reaches a child only through the routes above, never through the authority.
ALTER TABLE role_permissions DROP CONSTRAINT role_permissions_scope_check;
ALTER TABLE role_permissions ADD CONSTRAINT role_permissions_scope_check
  CHECK (scope IN ('own', 'team', 'locality', 'authority', 'partner'));

-- Multi-agency teams: a team of the authority whose members come from several organisations; each
-- member's agency in the team.
ALTER TABLE teams ADD COLUMN multi_agency boolean NOT NULL DEFAULT false;
ALTER TABLE team_memberships ADD COLUMN agency text
  CHECK (agency IN ('childrens_social_care', 'police', 'health', 'education', 'other'));

-- Consent given by a parent or young person (a person in the record) to share information about a
-- child: for what purpose, with which organisations, from when until when; withdrawn when, by whose
-- record.
CREATE TABLE consents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  child_id uuid NOT NULL REFERENCES people(id),
  given_by_person_id uuid NOT NULL REFERENCES people(id),
  given_by_role text NOT NULL CHECK (given_by_role IN ('parent', 'young_person', 'other')),
  purpose text NOT NULL CHECK (length(purpose) > 0),
  other_recipients text,
  valid_from date NOT NULL,
  valid_until date,
  CHECK (valid_until IS NULL OR valid_until >= valid_from),
  how_given text NOT NULL CHECK (how_given IN ('written', 'verbal', 'portal')),
  recorded_by uuid NOT NULL REFERENCES users(id),
  recorded_at timestamptz NOT NULL,
  withdrawn_on date,
  withdrawn_recorded_by uuid REFERENCES users(id),
  withdrawn_recorded_at timestamptz,
  withdrawn_note text,
  CHECK ((withdrawn_on IS NULL) = (withdrawn_recorded_by IS NULL)),
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX consents_child ON consents (child_id, valid_from);

-- The organisations a consent covers.
CREATE TABLE consent_organisations (
  consent_id uuid NOT NULL REFERENCES consents(id),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  PRIMARY KEY (consent_id, organisation_id)
);

-- The team around the family: local authority staff and partner practitioners working with a child,
-- one of whom may be the lead practitioner. A partner's membership carries the lawful basis of their
-- access to the child.
CREATE TABLE team_around_family_members (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  child_id uuid NOT NULL REFERENCES people(id),
  episode_id uuid REFERENCES help_episodes(id),
  user_id uuid NOT NULL REFERENCES users(id),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  team_role text NOT NULL CHECK (length(team_role) > 0),
  is_lead boolean NOT NULL DEFAULT false,
  legal_basis text CHECK (legal_basis IN ('consent', 'safeguarding_duty')),
  consent_id uuid REFERENCES consents(id),
  basis_note text,
  CHECK ((legal_basis = 'consent') = (consent_id IS NOT NULL)),
  CHECK (legal_basis IS DISTINCT FROM 'safeguarding_duty' OR basis_note IS NOT NULL),
  from_on date NOT NULL,
  added_by uuid NOT NULL REFERENCES users(id),
  added_at timestamptz NOT NULL,
  ended_at timestamptz,
  ended_by uuid REFERENCES users(id),
  end_reason text,
  CHECK ((ended_at IS NULL) = (ended_by IS NULL))
);
CREATE UNIQUE INDEX team_around_family_one_membership ON team_around_family_members (child_id, user_id)
  WHERE ended_at IS NULL;
CREATE UNIQUE INDEX team_around_family_one_lead ON team_around_family_members (child_id)
  WHERE ended_at IS NULL AND is_lead;
CREATE INDEX team_around_family_user ON team_around_family_members (user_id) WHERE ended_at IS NULL;

-- Every decision to share, or not to share, information about a child.
CREATE TABLE information_sharing_decisions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  child_id uuid NOT NULL REFERENCES people(id),
  decision text NOT NULL CHECK (decision IN ('share', 'not_share')),
  recipient_organisation_id uuid REFERENCES organisations(id),
  recipient_name text NOT NULL CHECK (length(recipient_name) > 0),
  what text NOT NULL CHECK (length(what) > 0),
  why text NOT NULL CHECK (length(why) > 0),
  lawful_basis text CHECK (lawful_basis IN ('consent', 'safeguarding_duty', 'legal_obligation', 'other')),
  basis_detail text,
  consent_id uuid REFERENCES consents(id),
  reason_not_shared text,
  CHECK (decision = 'not_share' OR lawful_basis IS NOT NULL),
  CHECK (decision = 'share' OR length(coalesce(reason_not_shared, '')) > 0),
  CHECK ((lawful_basis = 'consent') = (consent_id IS NOT NULL)),
  CHECK (lawful_basis IS DISTINCT FROM 'other' OR length(coalesce(basis_detail, '')) > 0),
  decided_by uuid NOT NULL REFERENCES users(id),
  decided_on date NOT NULL,
  recorded_at timestamptz NOT NULL
);
CREATE INDEX information_sharing_child ON information_sharing_decisions (child_id, decided_on);

-- The shared plan: actions say who added them and for which organisation; progress updates are
-- attributed the same way.
ALTER TABLE plan_goals
  ADD COLUMN added_by uuid REFERENCES users(id),
  ADD COLUMN added_by_organisation_id uuid REFERENCES organisations(id);

CREATE TABLE plan_goal_updates (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  plan_id uuid NOT NULL REFERENCES plans(id),
  goal_id uuid NOT NULL REFERENCES plan_goals(id),
  progress text CHECK (progress IN ('not_started', 'in_progress', 'achieved', 'stopped')),
  note text NOT NULL CHECK (length(note) > 0),
  recorded_by uuid NOT NULL REFERENCES users(id),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  recorded_at timestamptz NOT NULL
);
CREATE INDEX plan_goal_updates_plan ON plan_goal_updates (plan_id, recorded_at);

-- Each agency's part in a section 47 enquiry: what they did and found, by whom, when.
CREATE TABLE section47_agency_contributions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  section47_id uuid NOT NULL REFERENCES section47_enquiries(id),
  agency text NOT NULL CHECK (agency IN ('police', 'health', 'education', 'childrens_social_care', 'other')),
  organisation_id uuid NOT NULL REFERENCES organisations(id),
  contributed_by uuid NOT NULL REFERENCES users(id),
  contributed_on date NOT NULL,
  enquiries_made text NOT NULL CHECK (length(enquiries_made) > 0),
  findings text NOT NULL CHECK (length(findings) > 0),
  recorded_at timestamptz NOT NULL
);
CREATE INDEX section47_agency_contributions_enquiry ON section47_agency_contributions (section47_id, recorded_at);

INSERT INTO roles (id, name, description) VALUES
  ('partner_practitioner', 'Partner practitioner',
   'A practitioner in a partner agency (school, health, police, community): sees only the children whose team around the family they belong to, and only the shared parts'),
  ('multi_agency_practitioner', 'Multi-agency team member',
   'A partner agency''s member of a multi-agency child protection team: sees the team''s children''s shared parts and records their agency''s section 47 work');

INSERT INTO role_permissions (role_id, resource, action, scope) VALUES
  ('partner_practitioner', 'partner_record', 'read', 'partner'),
  ('partner_practitioner', 'partner_plan', 'write', 'partner'),
  ('multi_agency_practitioner', 'partner_record', 'read', 'partner'),
  ('multi_agency_practitioner', 'partner_plan', 'write', 'partner'),
  ('multi_agency_practitioner', 'section47_contribution', 'write', 'partner'),
  ('practitioner', 'team_around_family', 'manage', 'team'),
  ('practitioner', 'information_sharing', 'read', 'team'),
  ('practitioner', 'information_sharing', 'write', 'team'),
  ('practitioner', 'section47_contribution', 'write', 'team'),
  ('team_manager', 'team_around_family', 'manage', 'team'),
  ('team_manager', 'information_sharing', 'read', 'team'),
  ('team_manager', 'information_sharing', 'write', 'team'),
  ('team_manager', 'section47_contribution', 'write', 'team'),
  ('service_manager', 'information_sharing', 'read', 'locality'),
  ('senior_leader', 'information_sharing', 'read', 'authority');
