/**
 * The CIN census as read from (or written to) its XML: one `CinChild` at a time, values kept as the
 * raw strings of the file (blank = undefined) so rules can report bad dates and unknown codes.
 * `line` is the line of the element in the XML file (0 when built in memory).
 *
 * Structure: ../shared/reference/statutory-returns.md §1 (2025-26).
 */
import { dayOf } from '../validation/dates.ts';

export type CinHeader = {
  Collection?: string | undefined;
  Year?: string | undefined;
  ReferenceDate?: string | undefined;
  SourceLevel?: string | undefined;
  LEA?: string | undefined;
  SoftwareCode?: string | undefined;
  Release?: string | undefined;
  SerialNo?: string | undefined;
  DateTime?: string | undefined;
};

export type CinAssessment = {
  line: number;
  AssessmentActualStartDate?: string | undefined;
  AssessmentInternalReviewDate?: string | undefined;
  AssessmentAuthorisationDate?: string | undefined;
  /** AssessmentFactors, in file order. */
  factors: string[];
};

export type CinPlanDates = {
  line: number;
  CINPlanStartDate?: string | undefined;
  CINPlanEndDate?: string | undefined;
};

export type CinSection47 = {
  line: number;
  S47ActualStartDate?: string | undefined;
  InitialCPCtarget?: string | undefined;
  DateOfInitialCPC?: string | undefined;
  ICPCnotRequired?: string | undefined;
};

export type CinProtectionPlan = {
  line: number;
  CPPstartDate?: string | undefined;
  CPPendDate?: string | undefined;
  InitialCategoryOfAbuse?: string | undefined;
  LatestCategoryOfAbuse?: string | undefined;
  NumberOfPreviousCPP?: string | undefined;
  /** CPPreviewDate values, in file order. */
  reviews: { line: number; CPPreviewDate?: string | undefined }[];
};

export type CinDetails = {
  line: number;
  CINreferralDate?: string | undefined;
  ReferralSource?: string | undefined;
  PrimaryNeedCode?: string | undefined;
  CINclosureDate?: string | undefined;
  ReasonForClosure?: string | undefined;
  DateOfInitialCPC?: string | undefined;
  ReferralNFA?: string | undefined;
  assessments: CinAssessment[];
  cinPlanDates: CinPlanDates[];
  section47: CinSection47[];
  childProtectionPlans: CinProtectionPlan[];
};

export type CinChild = {
  line: number;
  identifiers: {
    line: number;
    LAchildID?: string | undefined;
    UPN?: string | undefined;
    FormerUPN?: string | undefined;
    UPNunknown?: string | undefined;
    PersonBirthDate?: string | undefined;
    ExpectedPersonBirthDate?: string | undefined;
    /** 2024-25 on. */
    Sex?: string | undefined;
    /** Before 2024-25 (1/2/0/9). */
    GenderCurrent?: string | undefined;
    PersonDeathDate?: string | undefined;
  };
  characteristics: {
    line: number;
    Ethnicity?: string | undefined;
    /** Disability codes, in file order (empty when the block is absent). */
    disabilities: string[];
  };
  cinDetails: CinDetails[];
};

/** Everything about the return as a whole that a per-child rule may need. */
export type CinContext = {
  /** Collection year, e.g. `2025-26` (the census of 31 March 2026). */
  year: string;
  header: CinHeader;
  /** 31 March of the census year, as a day number (from the Header; falls back to the year). */
  referenceDate: number;
  /** The day after the reference date a year earlier (1 April). */
  periodStart: number;
};

/** `2026` (the census year) → `2025-26`. */
export function cinCollectionYear(censusYear: number): string {
  return `${censusYear - 1}-${String(censusYear % 100).padStart(2, '0')}`;
}

export function cinContext(censusYear: number, header?: CinHeader): CinContext {
  return {
    year: cinCollectionYear(censusYear),
    header: header ?? {
      Collection: 'CIN',
      Year: String(censusYear),
      ReferenceDate: `${censusYear}-03-31`,
      SourceLevel: 'L',
      LEA: '919',
      SoftwareCode: 'Hearth',
      Release: '1',
      SerialNo: '001',
      DateTime: `${censusYear}-04-02T09:00:00`,
    },
    referenceDate: dayOf(censusYear, 3, 31),
    periodStart: dayOf(censusYear - 1, 4, 1),
  };
}

/**
 * A child who passes every CIN census rule for the 2025-26 census (reference date 2026-03-31):
 * referred by a school in June 2025, assessed and authorised, on a child in need plan still open.
 * Rule fixtures mutate a fresh copy of this child. `withProtection` gives the child-protection
 * variant.
 */
export function baselineCinChild(): CinChild {
  return {
    line: 0,
    identifiers: {
      line: 0,
      LAchildID: 'HRT0000001',
      UPN: 'E938611200101',
      PersonBirthDate: '2015-05-10',
      Sex: 'F',
    },
    // Eight different disability codes: a one-child return must still use more than seven (2887Q).
    characteristics: {
      line: 0,
      Ethnicity: 'WBRI',
      disabilities: ['MOB', 'HAND', 'PC', 'INC', 'COMM', 'LD', 'HEAR', 'VIS'],
    },
    cinDetails: [
      {
        line: 0,
        CINreferralDate: '2025-06-02',
        ReferralSource: '2A',
        PrimaryNeedCode: 'N4',
        ReferralNFA: 'false',
        assessments: [
          {
            line: 0,
            AssessmentActualStartDate: '2025-06-03',
            AssessmentAuthorisationDate: '2025-06-27',
            factors: ['4B', '16A'],
          },
        ],
        cinPlanDates: [{ line: 0, CINPlanStartDate: '2025-07-01' }],
        section47: [],
        childProtectionPlans: [],
      },
    ],
  };
}

/**
 * The baseline child's help as child protection instead of a child in need plan: a section 47
 * enquiry started the day after the referral, an initial conference within 15 working days that
 * started a plan (neglect), reviewed in September 2025 and still open. The conference is recorded on
 * the Section 47 only, not also on the CINdetails (2884).
 */
export function withProtection(child: CinChild): CinChild {
  const details = child.cinDetails[0];
  if (!details) throw new Error('baseline child has no CINdetails');
  details.PrimaryNeedCode = 'N1';
  details.cinPlanDates = [];
  details.section47 = [
    {
      line: 0,
      S47ActualStartDate: '2025-06-03',
      InitialCPCtarget: '2025-06-24',
      DateOfInitialCPC: '2025-06-20',
      ICPCnotRequired: 'false',
    },
  ];
  details.childProtectionPlans = [
    {
      line: 0,
      CPPstartDate: '2025-06-20',
      InitialCategoryOfAbuse: 'NEG',
      LatestCategoryOfAbuse: 'NEG',
      NumberOfPreviousCPP: '0',
      reviews: [{ line: 0, CPPreviewDate: '2025-09-15' }],
    },
  ];
  return child;
}
