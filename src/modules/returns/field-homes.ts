/**
 * Where every field of the CIN census and the SSDA903 return lives in Hearth's practice record.
 *
 * Returns are derived from practice records, never re-keyed: this table is the contract between the
 * record and the returns. Each field names the columns it is read from (`table.column`), and how,
 * when it is derived rather than copied. A test checks that every column named here exists, so the
 * model cannot lose a field the returns need.
 *
 * Field lists: ../shared/reference/statutory-returns.md §1 (CIN census 2025-26, with the 2026-27
 * pre-proceedings block) and §2 (SSDA903 2025-26 and 2026-27).
 */
export type FieldHome = {
  readonly field: string;
  readonly columns: readonly string[];
  /** How the value is derived when it is not a straight copy. */
  readonly derivation?: string;
};

export type ReturnBlock = { readonly block: string; readonly fields: readonly FieldHome[] };

const DOB = { field: 'DOB', columns: ['people.date_of_birth'] } as const;
const CHILD = {
  field: 'CHILD',
  columns: ['people.id', 'people.council_person_id'],
  derivation: 'the council person id, or a stable id derived from people.id (≤ 20 alphanumerics)',
} as const;

export const CIN_CENSUS: readonly ReturnBlock[] = [
  {
    block: 'ChildIdentifiers',
    fields: [
      {
        field: 'LAchildID',
        columns: ['people.council_person_id', 'people.id'],
        derivation: 'the council person id, else a stable id from people.id',
      },
      { field: 'UPN', columns: ['people.upn'] },
      {
        field: 'FormerUPN',
        columns: ['people.upn'],
        derivation:
          'the previous UPN, kept in the audit of identifier changes (reported when changed in the year)',
      },
      { field: 'UPNunknown', columns: ['people.upn_unknown_reason'] },
      { field: 'PersonBirthDate', columns: ['people.date_of_birth'] },
      { field: 'ExpectedPersonBirthDate', columns: ['people.expected_date_of_birth'] },
      { field: 'Sex', columns: ['people.sex'] },
      { field: 'PersonDeathDate', columns: ['people.date_of_death'] },
    ],
  },
  {
    block: 'ChildCharacteristics',
    fields: [
      { field: 'Ethnicity', columns: ['people.ethnicity'] },
      { field: 'Disability', columns: ['people.disabilities'] },
    ],
  },
  {
    block: 'CINdetails',
    fields: [
      { field: 'CINreferralDate', columns: ['cin_referrals.referral_date'] },
      { field: 'ReferralSource', columns: ['cin_referrals.referral_source'] },
      { field: 'PrimaryNeedCode', columns: ['cin_referrals.primary_need'] },
      { field: 'CINclosureDate', columns: ['cin_referrals.closed_on'] },
      { field: 'ReasonForClosure', columns: ['cin_referrals.closure_reason'] },
      {
        field: 'DateOfInitialCPC',
        columns: ['conferences.held_on', 'conferences.kind'],
        derivation: "the first conference of kind 'initial' in the referral",
      },
      { field: 'ReferralNFA', columns: ['cin_referrals.referral_nfa'] },
    ],
  },
  {
    block: 'Assessments',
    fields: [
      { field: 'AssessmentActualStartDate', columns: ['assessments.started_on'] },
      { field: 'AssessmentInternalReviewDate', columns: ['assessments.internal_review_on'] },
      { field: 'AssessmentAuthorisationDate', columns: ['assessments.authorised_on'] },
      { field: 'AssessmentFactors', columns: ['assessment_factors.factor'] },
    ],
  },
  {
    block: 'CINPlanDates',
    fields: [
      {
        field: 'CINPlanStartDate',
        columns: ['plans.started_on', 'plans.kind'],
        derivation: "plans of kind 'child_in_need'",
      },
      { field: 'CINPlanEndDate', columns: ['plans.ended_on'] },
    ],
  },
  {
    block: 'Section47',
    fields: [
      { field: 'S47ActualStartDate', columns: ['section47_enquiries.started_on'] },
      { field: 'InitialCPCtarget', columns: ['section47_enquiries.icpc_target_on'] },
      { field: 'DateOfInitialCPC', columns: ['conferences.held_on', 'conferences.section47_id'] },
      { field: 'ICPCnotRequired', columns: ['section47_enquiries.icpc_not_required'] },
    ],
  },
  {
    block: 'ChildProtectionPlans',
    fields: [
      {
        field: 'CPPstartDate',
        columns: ['plans.started_on', 'plans.kind'],
        derivation: "plans of kind 'child_protection'",
      },
      { field: 'CPPendDate', columns: ['plans.ended_on'] },
      { field: 'InitialCategoryOfAbuse', columns: ['plans.initial_category'] },
      { field: 'LatestCategoryOfAbuse', columns: ['plans.latest_category'] },
      {
        field: 'NumberOfPreviousCPP',
        columns: ['plans.person_id', 'plans.started_on'],
        derivation: 'count of earlier child protection plans of the child',
      },
      {
        field: 'CPPreviewDate',
        columns: ['conferences.held_on', 'conferences.plan_id'],
        derivation: "conferences of kind 'review' for the plan",
      },
    ],
  },
  {
    block: 'PreProceedingsandFGDM',
    fields: [
      { field: 'PPStartDate', columns: ['pre_proceedings.started_on'] },
      { field: 'LBPSentDate', columns: ['pre_proceedings.letter_before_proceedings_on'] },
      { field: 'FGDMMeetingOffer', columns: ['pre_proceedings.family_meeting_offered'] },
      { field: 'FGDMMeetingFac', columns: ['pre_proceedings.family_meeting_held'] },
      { field: 'InitialPPMeetingDate', columns: ['pre_proceedings.initial_meeting_on'] },
      { field: 'ReviewMeetingsCount', columns: ['pre_proceedings.review_meetings'] },
      { field: 'StepDecisionDate', columns: ['pre_proceedings.decision_on'] },
      { field: 'PPOutcome', columns: ['pre_proceedings.outcome'] },
      { field: 'CourtAppDate', columns: ['pre_proceedings.court_application_on'] },
      { field: 'LetterInitCPDate', columns: ['pre_proceedings.letter_initial_cp_on'] },
    ],
  },
];

export const SSDA903: readonly ReturnBlock[] = [
  {
    block: 'Header',
    fields: [
      CHILD,
      { field: 'SEX', columns: ['people.sex'] },
      DOB,
      { field: 'ETHNIC', columns: ['people.ethnicity'] },
      { field: 'UPN', columns: ['people.upn', 'people.upn_unknown_reason'] },
      {
        field: 'MOTHER',
        columns: ['relationships.kind', 'relationships.person_id', 'people.sex'],
        derivation: 'a female looked-after child recorded as mother of a child',
      },
      {
        field: 'MC_DOB',
        columns: ['relationships.related_person_id', 'people.date_of_birth'],
        derivation: "the date of birth of the child's baby",
      },
    ],
  },
  {
    block: 'Episodes',
    fields: [
      CHILD,
      {
        field: 'DECOM',
        columns: ['legal_statuses.started_on', 'placements.started_on'],
        derivation: 'a new 903 episode starts whenever the legal status or placement changes',
      },
      {
        field: 'RNE',
        columns: [
          'legal_statuses.started_on',
          'placements.started_on',
          'placements.same_carer_as_previous',
          'care_periods.started_on',
        ],
        derivation:
          'S at the start of the period; L, P, T, B, U from which of legal status, placement and provider changed',
      },
      { field: 'LS', columns: ['legal_statuses.code'] },
      { field: 'CIN', columns: ['care_periods.category_of_need'] },
      { field: 'PLACE', columns: ['placements.placement_type'] },
      { field: 'PLACE_PROVIDER', columns: ['placements.provider'] },
      { field: 'DEC', columns: ['legal_statuses.ended_on', 'placements.ended_on', 'care_periods.ended_on'] },
      {
        field: 'REC',
        columns: ['care_periods.reason_ceased'],
        derivation: 'X1 when another episode follows the same day; the period reason at its end',
      },
      { field: 'REASON_PLACE_CHANGE', columns: ['placements.change_reason'] },
      { field: 'HOME_POST', columns: ['care_periods.home_postcode'] },
      { field: 'PL_POST', columns: ['placements.postcode'] },
      { field: 'URN', columns: ['placements.urn'] },
    ],
  },
  {
    block: 'Reviews',
    fields: [
      CHILD,
      DOB,
      {
        field: 'REVIEW',
        columns: ['plan_reviews.reviewed_on', 'plans.kind'],
        derivation: "reviews of the child's care plan",
      },
      { field: 'REVIEW_CODE', columns: ['plan_reviews.participation'] },
    ],
  },
  {
    block: 'UASC',
    fields: [
      CHILD,
      { field: 'SEX', columns: ['people.sex'] },
      DOB,
      { field: 'DUC', columns: ['people.uasc', 'people.uasc_ceased_on'] },
    ],
  },
  {
    block: 'OC2',
    fields: [
      CHILD,
      DOB,
      { field: 'SDQ_SCORE', columns: ['health_checks.sdq_score'] },
      { field: 'SDQ_REASON', columns: ['health_checks.sdq_reason'] },
      { field: 'CONVICTED', columns: ['health_checks.kind'], derivation: "a 'conviction' row in the year" },
      {
        field: 'HEALTH_CHECK',
        columns: ['health_checks.kind', 'health_checks.on_date'],
        derivation: "a 'health_assessment' in the year",
      },
      {
        field: 'IMMUNISATIONS',
        columns: ['health_checks.kind'],
        derivation: "'immunisations_up_to_date' in the year",
      },
      { field: 'TEETH_CHECK', columns: ['health_checks.kind'], derivation: "a 'dental_check' in the year" },
      {
        field: 'HEALTH_ASSESSMENT',
        columns: ['health_checks.kind'],
        derivation: "a 'health_assessment' in the year",
      },
      {
        field: 'SUBSTANCE_MISUSE',
        columns: ['health_checks.kind'],
        derivation: "'substance_misuse' in the year",
      },
      {
        field: 'INTERVENTION_RECEIVED',
        columns: ['health_checks.kind'],
        derivation: "'substance_intervention_received'",
      },
      {
        field: 'INTERVENTION_OFFERED',
        columns: ['health_checks.kind'],
        derivation: "'substance_intervention_offered'",
      },
    ],
  },
  {
    block: 'OC3',
    fields: [
      CHILD,
      DOB,
      { field: 'IN_TOUCH', columns: ['care_leaver_contacts.in_touch'] },
      { field: 'ACTIV', columns: ['care_leaver_contacts.activity'] },
      { field: 'ACCOM', columns: ['care_leaver_contacts.accommodation'] },
    ],
  },
  {
    block: 'AD1',
    fields: [
      CHILD,
      DOB,
      { field: 'DATE_INT', columns: ['permanence_decisions.decision_on'] },
      { field: 'DATE_MATCH', columns: ['permanence_decisions.matched_on'] },
      { field: 'FOSTER_CARE', columns: ['permanence_decisions.adopted_by_foster_carer'] },
      { field: 'NB_ADOPTR', columns: ['permanence_decisions.number_of_adopters'] },
      { field: 'SEX_ADOPTR', columns: ['permanence_decisions.adopter_sex'] },
      { field: 'LS_ADOPTR', columns: ['permanence_decisions.adopter_legal_status'] },
    ],
  },
  {
    block: 'PlacedAdoption',
    fields: [
      CHILD,
      DOB,
      { field: 'DATE_PLACED', columns: ['permanence_decisions.decision_on'] },
      { field: 'DATE_PLACED_CEASED', columns: ['permanence_decisions.ceased_on'] },
      { field: 'REASON_PLACED_CEASED', columns: ['permanence_decisions.ceased_reason'] },
    ],
  },
  {
    block: 'PrevPerm',
    fields: [
      CHILD,
      DOB,
      { field: 'PREV_PERM', columns: ['care_periods.previous_permanence'] },
      { field: 'LA_PERM', columns: ['care_periods.previous_permanence_la'] },
      { field: 'DATE_PERM', columns: ['care_periods.previous_permanence_on'] },
    ],
  },
  {
    block: 'Missing',
    fields: [
      CHILD,
      DOB,
      { field: 'MISSING', columns: ['missing_episodes.kind'] },
      { field: 'MIS_START', columns: ['missing_episodes.started_on'] },
      { field: 'MIS_END', columns: ['missing_episodes.ended_on'] },
    ],
  },
  {
    block: 'SWEpisodes',
    fields: [
      CHILD,
      DOB,
      { field: 'SW_ID', columns: ['allocations.worker_user_id'] },
      { field: 'SW_DECOM', columns: ['allocations.started_at'] },
      { field: 'SW_DEC', columns: ['allocations.ended_at'] },
      {
        field: 'SW_REASON',
        columns: ['allocations.change_reason'],
        derivation: 'the reason recorded on this allocation: why the social worker changed to this one',
      },
    ],
  },
  {
    block: 'DoLo',
    fields: [
      CHILD,
      DOB,
      { field: 'DOLO_START', columns: ['liberty_orders.started_on'] },
      { field: 'DOLO_END', columns: ['liberty_orders.ended_on'] },
    ],
  },
];
