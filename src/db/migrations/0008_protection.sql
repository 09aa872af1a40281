-- Child protection, done with families: who said what at a strategy discussion; section 47
-- outcomes; conferences arranged with the family (invitations, the report shared with the parents
-- before, an advocate offered, who came, the family's view) and their decisions; core groups; and
-- family group conferences / family network meetings offered at every initial conference and before
-- any court application. The tables of 0004_help.sql stay the home of every CIN census field.
-- New tables point at a person only through their episode, strategy discussion, conference or plan
-- (a merge moves those). Frozen once shipped: add a new migration instead of editing this one.

-- Each agency's contribution to a strategy discussion, in the words of the person who spoke.
CREATE TABLE strategy_discussion_contributions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  strategy_discussion_id uuid NOT NULL REFERENCES strategy_discussions(id),
  position integer NOT NULL,
  agency text NOT NULL CHECK (agency IN ('police', 'health', 'education', 'childrens_social_care', 'other')),
  organisation text,
  person_name text NOT NULL,
  person_role text,
  said text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX strategy_contributions_discussion ON strategy_discussion_contributions (strategy_discussion_id, position);

-- What the section 47 enquiry found, and (for "continue") whether family help or child in need help
-- carries on.
ALTER TABLE section47_enquiries
  ADD COLUMN findings text,
  ADD COLUMN continue_with text CHECK (continue_with IN ('family_help', 'child_in_need')),
  ADD COLUMN outcome_recorded_by uuid REFERENCES users(id);

-- Conferences are arranged first ('planned') and their outcome recorded once held ('held'); rows
-- written before this migration were all held.
ALTER TABLE conferences
  ADD COLUMN status text NOT NULL DEFAULT 'held' CHECK (status IN ('planned', 'held')),
  ADD COLUMN report_shared_on date,
  ADD COLUMN report_shared_how text CHECK (report_shared_how IN ('in_person', 'email', 'post', 'phone', 'other')),
  ADD COLUMN report_shared_note text,
  ADD COLUMN advocate_offered boolean,
  ADD COLUMN advocate_taken_up boolean,
  ADD COLUMN advocate_note text,
  ADD COLUMN child_view text,
  ADD COLUMN decision_reason text,
  ADD COLUMN next_review_on date,
  ADD COLUMN others_attending text,
  ADD COLUMN recorded_by uuid REFERENCES users(id),
  -- Set when the conference is changed (no default: rows written by the generator stay reproducible).
  ADD COLUMN updated_at timestamptz,
  ADD COLUMN version integer NOT NULL DEFAULT 1;

-- Core group meetings of a child protection plan.
CREATE TABLE core_group_meetings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  plan_id uuid NOT NULL REFERENCES plans(id),
  episode_id uuid NOT NULL REFERENCES help_episodes(id),
  held_on date NOT NULL,
  family_view text NOT NULL,
  progress text,
  next_meeting_on date,
  others_attending text,
  recorded_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (next_meeting_on IS NULL OR next_meeting_on > held_on)
);
CREATE INDEX core_group_meetings_plan ON core_group_meetings (plan_id, held_on);

-- Who was invited to a conference or core group, and whether they came.
CREATE TABLE meeting_participants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  conference_id uuid REFERENCES conferences(id),
  core_group_id uuid REFERENCES core_group_meetings(id),
  position integer NOT NULL,
  name text NOT NULL,
  role text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('parent', 'child', 'family', 'supporter', 'professional')),
  invited boolean NOT NULL DEFAULT true,
  attended boolean,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((conference_id IS NULL) <> (core_group_id IS NULL))
);
CREATE INDEX meeting_participants_conference ON meeting_participants (conference_id, position);
CREATE INDEX meeting_participants_core_group ON meeting_participants (core_group_id, position);

-- Family group conferences / family network meetings: offered (at every initial conference and
-- before any court application), accepted or declined, held, and the family's own plan.
CREATE TABLE family_network_meetings (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  episode_id uuid NOT NULL REFERENCES help_episodes(id),
  conference_id uuid REFERENCES conferences(id),
  pre_proceedings_id uuid REFERENCES pre_proceedings(id),
  offered_on date NOT NULL,
  response text CHECK (response IN ('accepted', 'declined')),
  declined_reason text,
  held_on date,
  family_plan text,
  recorded_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CHECK (held_on IS NULL OR response = 'accepted'),
  CHECK (held_on IS NULL OR held_on >= offered_on)
);
CREATE INDEX family_network_meetings_episode ON family_network_meetings (episode_id, offered_on);
