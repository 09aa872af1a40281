/**
 * The tunable rates of the synthetic authority, in one place. Each was set so that a generated
 * authority reproduces the national figures of the calibration reference (section 5): see
 * `npx hearth calibration`. Probabilities are per event; hazards per year; durations in days.
 * "× severity" means the figure is multiplied by the child's severity (mean 1 over referred children).
 */
export const P = {
  /** Requests for help (contacts) per child-year at average risk, when no help is open. */
  contactRate: 0.118,
  /** Risk = deprivation × ethnicity × household frailty; contacts rise with risk^contactRiskPower. */
  contactRiskPower: 0.5,
  /** Severity (how far a referral escalates) = risk^severityPower, normalised. Together they give risk^1 for care. */
  severityPower: 0.42,
  /** Household frailty: gamma with this shape and mean 1 (lower = help concentrated in fewer families). */
  frailtyShape: 0.75,
  /** Contact rate by age band: under 1, 1-4, 5-9, 10-15, 16-17. */
  contactByAge: [1.9, 0.85, 0.9, 1.0, 1.05],
  /** After help ends, requests are more likely for a while: rate × (1 + boost × e^(-days/recencyDays)). */
  recencyBoost: 15,
  recencyDays: 100,
  /** Requests soon after help ended (within recentDays) are more often referred: decideAssessment × recentReferral. */
  recentReferral: 1.45,
  recentDays: 180,
  /** Child in need plans that include an updated child and family assessment. */
  cinReassessment: 0.35,
  /** A child who has had a child protection plan: contacts and section 47 enquiries more likely. */
  previousPlanBoost: 1.35,

  /** Front-door decisions (shares of requests; information and advice takes the rest). */
  decideStrategy: 0.05, // × severity
  decideAssessment: 0.36,
  decideFamilyHelp: 0.19,
  decideCommunity: 0.12,

  /** Referrals closed with no further action (no assessment). */
  referralNfa: 0.07,
  /** A strategy discussion decides on a section 47 enquiry. */
  strategyToS47: 0.86,
  /** A section 47 enquiry during the assessment of a referral. × severity */
  s47DuringAssessment: 0.27,
  icpcPerS47: 0.31,
  cppPerIcpc: 0.86,
  /** Section 47 enquiries with no conference that end with no further action (the rest become child in need plans). */
  s47NoIcpcNfa: 0.47,
  /** Assessed and found not in need (of assessments without a section 47 enquiry). */
  notInNeed: 0.56,
  /** … of whom this share are offered family help (closure reason RC9), the rest closed (RC8). */
  notInNeedToFamilyHelp: 0.4,
  /** Looked after at the referral (police protection, emergency or voluntary accommodation). × severity × careByAge */
  careAtReferral: 0.013,
  /** Looked after when the assessment ends. × severity × careByAge */
  careAfterAssessment: 0.011,
  /** Care entry multiplier by age band: under 1, 1-4, 5-9, 10-15, 16-17. */
  careByAge: [4.5, 0.9, 0.65, 1.0, 1.0],

  /** Child in need plans. */
  cinDurationMean: 240,
  cinS47Hazard: 0.36, // × severity
  cinCareHazard: 0.055, // × severity × careByAge
  cinEndToFamilyHelp: 0.3,

  familyHelpDurationMean: 150,
  familyHelpStepUp: 0.12, // × severity

  /** Child protection plans: durations follow the published ending-duration mix, scaled. */
  cpDurationScale: 0.97,
  cpToCare: 0.13, // × careByAge
  cpToCin: 0.62,

  /** Placement moves per year: first 60 days, rest of the first year, afterwards. */
  moveHazard: [2.0, 0.55, 0.1],
  /** Worker changes within a team: mean days between changes. */
  workerChangeDays: 330,
  /**
   * Agency staff among the case-holding social workers (the practitioners of the assessment, child
   * in need and protection, and children in care teams; front door workers hold no children, and
   * family help workers and leaving care personal advisers are not social workers: all stay
   * permanent). DfE "Children's social work workforce", 30 September 2024: 6,521 agency child and
   * family social workers (FTE), an agency rate of 16.2%, the first fall in seven years (2022: 17.6%;
   * 2023: 17.9%). Source: calibration reference, practice.md section 6 (Workforce), [S49a].
   * Checked by `hearth calibration` (check 30).
   */
  agencyShare: 0.162,
  /** Unaccompanied asylum-seeking children arriving, per child-year of the population. */
  uascRate: 0.00055,
} as const;
