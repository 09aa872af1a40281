import type { ColumnType, Generated } from 'kysely';

/** ISO date (YYYY-MM-DD). */
type IsoDate = string;
/** A nullable column that may be left out on insert. */
type Opt<T> = ColumnType<T | null, T | null | undefined, T | null>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type OptTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type EpisodeStatus =
  | 'family_help'
  | 'assessment'
  | 'child_in_need'
  | 'child_protection'
  | 'looked_after'
  | 'care_leaver'
  | 'closed';

export type ThresholdGuidanceVersionTable = {
  id: Generated<string>;
  organisation_id: string;
  version: string;
  title: string;
  published_on: IsoDate;
  url: Opt<string>;
};

export type HelpEpisodeTable = {
  id: Generated<string>;
  organisation_id: string;
  person_id: string;
  started_on: IsoDate;
  status: EpisodeStatus;
  status_since: IsoDate;
  closed_on: Opt<IsoDate>;
  /** CIN census ReasonForClosure (RC1-RC9). */
  closure_reason: Opt<string>;
  closure_note: Opt<string>;
  created_by: Opt<string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  version: Generated<number>;
};

export type EpisodeStatusChangeTable = {
  id: Generated<string>;
  episode_id: string;
  from_status: EpisodeStatus | null;
  to_status: EpisodeStatus;
  changed_on: IsoDate;
  reason: string;
  changed_by: Opt<string>;
  created_at: Generated<Date>;
};

export type HelpRequestStatus = 'draft' | 'awaiting_decision' | 'decided' | 'withdrawn';
export type RequesterKind =
  'professional' | 'parent' | 'young_person' | 'relative' | 'neighbour' | 'anonymous' | 'other';
export type FrontDoorDecision =
  'information_advice' | 'community_service' | 'family_help' | 'assessment' | 'strategy_discussion';

export type HelpRequestTable = {
  id: Generated<string>;
  organisation_id: string;
  person_id: Opt<string>;
  episode_id: Opt<string>;
  status: ColumnType<HelpRequestStatus, HelpRequestStatus | undefined, HelpRequestStatus>;
  received_at: OptTimestamp;
  requester_kind: Opt<RequesterKind>;
  requester_name: Opt<string>;
  requester_role: Opt<string>;
  requester_organisation: Opt<string>;
  requester_contact: Opt<string>;
  /** CIN census ReferralSource (1A … 10). */
  referral_source: Opt<string>;
  worry: Opt<string>;
  family_view: Opt<string>;
  already_tried: Opt<string>;
  will_keep_doing: Opt<string>;
  family_knows: Opt<boolean>;
  family_consents: Opt<boolean>;
  /** CIN census PrimaryNeedCode (N0-N9). */
  primary_need: Opt<string>;
  decision: Opt<FrontDoorDecision>;
  decision_service: Opt<string>;
  decision_reason: Opt<string>;
  decision_threshold_id: Opt<string>;
  decision_help_offered_instead: Opt<string>;
  decided_by: Opt<string>;
  decided_at: OptTimestamp;
  feedback_to_requester: Opt<string>;
  feedback_given_at: OptTimestamp;
  team_id: Opt<string>;
  created_by: Opt<string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  version: Generated<number>;
};

export type CinReferralTable = {
  id: Generated<string>;
  episode_id: string;
  request_id: Opt<string>;
  referral_date: IsoDate;
  referral_source: string;
  primary_need: string;
  referral_nfa: Generated<boolean>;
  closed_on: Opt<IsoDate>;
  closure_reason: Opt<string>;
  created_at: Generated<Date>;
};

export type AssessmentKind = 'child_and_family' | 'family_help';
export type AssessmentStatus = 'in_progress' | 'submitted' | 'authorised';
export type AssessmentOutcome =
  | 'no_further_action'
  | 'family_help'
  | 'child_in_need_plan'
  | 'strategy_discussion'
  | 'looked_after'
  | 'other_service';

export type AssessmentTable = {
  id: Generated<string>;
  episode_id: string;
  person_id: string;
  cin_referral_id: Opt<string>;
  kind: AssessmentKind;
  status: ColumnType<AssessmentStatus, AssessmentStatus | undefined, AssessmentStatus>;
  started_on: IsoDate;
  due_on: IsoDate;
  internal_review_on: Opt<IsoDate>;
  completed_on: Opt<IsoDate>;
  authorised_on: Opt<IsoDate>;
  authorised_by: Opt<string>;
  organisation_name: Opt<string>;
  child_seen: Opt<boolean>;
  family_account: Opt<string>;
  child_views: Opt<string>;
  professional_analysis: Opt<string>;
  outcome: Opt<AssessmentOutcome>;
  outcome_note: Opt<string>;
  created_by: Opt<string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  version: Generated<number>;
};

export type AssessmentFactorTable = { assessment_id: string; factor: string };

export type CircumstanceArea = 'income' | 'debt' | 'housing' | 'food' | 'fuel' | 'digital';
export type AssessmentCircumstanceTable = {
  assessment_id: string;
  area: CircumstanceArea;
  need_identified: boolean;
  detail: Opt<string>;
};

export type PlanKind = 'family_help' | 'child_in_need' | 'child_protection' | 'care' | 'pathway';
export type PlanStatus = 'draft' | 'active' | 'ended';

export type PlanTable = {
  id: Generated<string>;
  episode_id: string;
  person_id: string;
  cin_referral_id: Opt<string>;
  kind: PlanKind;
  status: ColumnType<PlanStatus, PlanStatus | undefined, PlanStatus>;
  started_on: Opt<IsoDate>;
  ended_on: Opt<IsoDate>;
  end_reason: Opt<string>;
  review_interval_days: Opt<number>;
  next_review_on: Opt<IsoDate>;
  family_words: Opt<string>;
  child_words: Opt<string>;
  initial_category: Opt<string>;
  latest_category: Opt<string>;
  created_by: Opt<string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  version: Generated<number>;
};

export type GoalProgress = 'not_started' | 'in_progress' | 'achieved' | 'stopped';
export type PlanGoalTable = {
  id: Generated<string>;
  plan_id: string;
  position: number;
  goal: string;
  who: string;
  by_when: Opt<IsoDate>;
  progress: Opt<GoalProgress>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  version: Generated<number>;
};

export type ReviewDecision = 'continue' | 'change_plan' | 'step_up' | 'step_down' | 'end_plan';
export type PlanReviewTable = {
  id: Generated<string>;
  plan_id: string;
  reviewed_on: IsoDate;
  family_view: string;
  child_view: Opt<string>;
  progress_summary: Opt<string>;
  decision: ReviewDecision;
  next_review_on: Opt<IsoDate>;
  participation: Opt<string>;
  recorded_by: Opt<string>;
  created_at: Generated<Date>;
};

export type VisitKind = 'home' | 'school' | 'office' | 'placement' | 'other';
export type VisitTable = {
  id: Generated<string>;
  episode_id: string;
  person_id: string;
  visited_on: IsoDate;
  kind: VisitKind;
  statutory: Generated<boolean>;
  child_seen: boolean;
  child_seen_alone: Generated<boolean>;
  bedroom_seen: Opt<boolean>;
  childs_words: Opt<string>;
  what_happened: string;
  next_visit_due_on: Opt<IsoDate>;
  recorded_by: Opt<string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  version: Generated<number>;
};

export type PracticeNoteKind =
  'conversation' | 'meeting' | 'phone_call' | 'message' | 'observation' | 'management_oversight' | 'other';
export type PracticeNoteTable = {
  id: Generated<string>;
  episode_id: string;
  person_id: string;
  occurred_at: Timestamp;
  kind: PracticeNoteKind;
  title: string;
  body: string;
  recorded_by: Opt<string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  version: Generated<number>;
};

export type ChronologyEntryTable = {
  id: Generated<string>;
  person_id: string;
  episode_id: Opt<string>;
  occurred_on: IsoDate;
  kind: 'automatic' | 'curated';
  /** A stable event name, e.g. 'request.received', 'status.changed'. */
  event: string;
  summary: string;
  source_type: Opt<string>;
  source_id: Opt<string>;
  added_by: Opt<string>;
  created_at: Generated<Date>;
};

export type DocumentTable = {
  id: Generated<string>;
  person_id: string;
  episode_id: Opt<string>;
  title: string;
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  content: Uint8Array;
  uploaded_by: Opt<string>;
  uploaded_at: Generated<Date>;
};

export type TaskTable = {
  id: Generated<string>;
  organisation_id: string;
  person_id: Opt<string>;
  episode_id: Opt<string>;
  kind: string;
  title: string;
  due_on: IsoDate;
  assigned_user_id: Opt<string>;
  assigned_team_id: Opt<string>;
  source_type: Opt<string>;
  source_id: Opt<string>;
  completed_at: OptTimestamp;
  completed_by: Opt<string>;
  created_at: Generated<Date>;
};

export type PracticalHelpKind =
  | 'cash'
  | 'food'
  | 'fuel'
  | 'housing'
  | 'furniture'
  | 'clothing'
  | 'travel'
  | 'childcare'
  | 'digital'
  | 'debt_advice'
  | 'benefits_advice'
  | 'other';
export type PracticalHelpTable = {
  id: Generated<string>;
  episode_id: string;
  person_id: string;
  /** Null while a request waits for its decision or payment (migration 0024). */
  given_on: Opt<IsoDate>;
  kind: PracticalHelpKind;
  amount_pence: Opt<number>;
  description: string;
  recorded_by: Opt<string>;
  created_at: Generated<Date>;
};

// Protection and care ------------------------------------------------------------------------------

export type StrategyDiscussionTable = {
  id: Generated<string>;
  episode_id: string;
  person_id: string;
  held_on: IsoDate;
  agencies: ColumnType<string[], string[] | undefined, string[]>;
  decision: 'section47' | 'no_section47';
  reason: string;
  recorded_by: Opt<string>;
  created_at: Generated<Date>;
};

export type Section47EnquiryTable = {
  id: Generated<string>;
  episode_id: string;
  person_id: string;
  cin_referral_id: Opt<string>;
  strategy_discussion_id: Opt<string>;
  started_on: IsoDate;
  completed_on: Opt<IsoDate>;
  icpc_target_on: Opt<IsoDate>;
  icpc_not_required: Opt<boolean>;
  outcome: Opt<'no_further_action' | 'continue_child_in_need' | 'initial_conference' | 'other'>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  version: Generated<number>;
};

export type ConferenceTable = {
  id: Generated<string>;
  episode_id: string;
  person_id: string;
  section47_id: Opt<string>;
  plan_id: Opt<string>;
  kind: 'initial' | 'review' | 'transfer_in';
  held_on: IsoDate;
  quorate: Opt<boolean>;
  outcome_plan: Opt<boolean>;
  category: Opt<string>;
  family_view: Opt<string>;
  participation: Opt<string>;
  created_at: Generated<Date>;
};

export type PreProceedingsTable = {
  id: Generated<string>;
  episode_id: string;
  person_id: string;
  started_on: IsoDate;
  letter_before_proceedings_on: Opt<IsoDate>;
  family_meeting_offered: Opt<boolean>;
  family_meeting_held: Opt<boolean>;
  initial_meeting_on: Opt<IsoDate>;
  review_meetings: Generated<number>;
  decision_on: Opt<IsoDate>;
  outcome: Opt<string>;
  court_application_on: Opt<IsoDate>;
  letter_initial_cp_on: Opt<IsoDate>;
  created_at: Generated<Date>;
};

export type CarePeriodTable = {
  id: Generated<string>;
  episode_id: string;
  person_id: string;
  started_on: IsoDate;
  ended_on: Opt<IsoDate>;
  category_of_need: string;
  reason_ceased: Opt<string>;
  home_postcode: Opt<string>;
  previous_permanence: Opt<string>;
  previous_permanence_la: Opt<string>;
  previous_permanence_on: Opt<IsoDate>;
  permanence_plan: Opt<string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  version: Generated<number>;
};

export type LegalStatusTable = {
  id: Generated<string>;
  care_period_id: string;
  code: string;
  started_on: IsoDate;
  ended_on: Opt<IsoDate>;
};

export type PlacementTable = {
  id: Generated<string>;
  care_period_id: string;
  placement_type: string;
  provider: Opt<string>;
  provider_name: Opt<string>;
  carer_person_id: Opt<string>;
  urn: Opt<string>;
  postcode: Opt<string>;
  address_hidden_from_family: Generated<boolean>;
  started_on: IsoDate;
  ended_on: Opt<IsoDate>;
  change_reason: Opt<string>;
  same_carer_as_previous: Generated<boolean>;
  created_at: Generated<Date>;
};

export type MissingEpisodeTable = {
  id: Generated<string>;
  person_id: string;
  care_period_id: Opt<string>;
  kind: 'M' | 'A';
  started_on: IsoDate;
  ended_on: Opt<IsoDate>;
  return_interview_offered: Opt<boolean>;
  return_interview_accepted: Opt<boolean>;
  created_at: Generated<Date>;
};

export type HealthCheckKind =
  | 'health_assessment'
  | 'dental_check'
  | 'immunisations_up_to_date'
  | 'sdq'
  | 'conviction'
  | 'substance_misuse'
  | 'substance_intervention_offered'
  | 'substance_intervention_received';
export type HealthCheckTable = {
  id: Generated<string>;
  person_id: string;
  kind: HealthCheckKind;
  on_date: IsoDate;
  sdq_score: Opt<number>;
  sdq_reason: Opt<string>;
  created_at: Generated<Date>;
};

export type PermanenceDecisionTable = {
  id: Generated<string>;
  person_id: string;
  care_period_id: Opt<string>;
  decision_on: IsoDate;
  placement_order_on: Opt<IsoDate>;
  matched_on: Opt<IsoDate>;
  placed_on: Opt<IsoDate>;
  ffa_placed_on: Opt<IsoDate>;
  order_on: Opt<IsoDate>;
  ceased_on: Opt<IsoDate>;
  ceased_reason: Opt<string>;
  adopted_by_foster_carer: Opt<boolean>;
  number_of_adopters: Opt<number>;
  adopter_sex: Opt<string>;
  adopter_legal_status: Opt<string>;
  created_at: Generated<Date>;
};

export type CareLeaverTable = {
  id: Generated<string>;
  person_id: string;
  episode_id: Opt<string>;
  eligibility: 'relevant' | 'former_relevant' | 'qualifying' | 'eligible';
  personal_adviser_user_id: Opt<string>;
  pathway_plan_reviewed_on: Opt<IsoDate>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  version: Generated<number>;
};

export type CareLeaverContactTable = {
  id: Generated<string>;
  person_id: string;
  contacted_on: IsoDate;
  in_touch: string;
  activity: Opt<string>;
  accommodation: Opt<string>;
  created_at: Generated<Date>;
};

export type LibertyOrderTable = {
  id: Generated<string>;
  person_id: string;
  started_on: IsoDate;
  ended_on: Opt<IsoDate>;
  created_at: Generated<Date>;
};
