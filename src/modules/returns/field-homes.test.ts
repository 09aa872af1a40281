import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../db/connect.ts';
import { openTestDb } from '../../../test/support/db.ts';
import { CIN_CENSUS, SSDA903, type ReturnBlock } from './field-homes.ts';

let handle: DbHandle;
let columns: Set<string>;

beforeAll(async () => {
  handle = await openTestDb();
  const rows = await sql<{ name: string }>`
    SELECT table_name || '.' || column_name AS name FROM information_schema.columns
    WHERE table_schema = current_schema()`.execute(handle.db);
  columns = new Set(rows.rows.map((r) => r.name));
});
afterAll(async () => {
  await handle.close();
});

/** The fields each return block must carry (statutory-returns.md §1 and §2). */
const REQUIRED: Record<string, Record<string, string[]>> = {
  cin: {
    ChildIdentifiers: [
      'LAchildID',
      'UPN',
      'FormerUPN',
      'UPNunknown',
      'PersonBirthDate',
      'ExpectedPersonBirthDate',
      'Sex',
      'PersonDeathDate',
    ],
    ChildCharacteristics: ['Ethnicity', 'Disability'],
    CINdetails: [
      'CINreferralDate',
      'ReferralSource',
      'PrimaryNeedCode',
      'CINclosureDate',
      'ReasonForClosure',
      'DateOfInitialCPC',
      'ReferralNFA',
    ],
    Assessments: [
      'AssessmentActualStartDate',
      'AssessmentInternalReviewDate',
      'AssessmentAuthorisationDate',
      'AssessmentFactors',
    ],
    CINPlanDates: ['CINPlanStartDate', 'CINPlanEndDate'],
    Section47: ['S47ActualStartDate', 'InitialCPCtarget', 'DateOfInitialCPC', 'ICPCnotRequired'],
    ChildProtectionPlans: [
      'CPPstartDate',
      'CPPendDate',
      'InitialCategoryOfAbuse',
      'LatestCategoryOfAbuse',
      'NumberOfPreviousCPP',
      'CPPreviewDate',
    ],
    PreProceedingsandFGDM: [
      'PPStartDate',
      'LBPSentDate',
      'FGDMMeetingOffer',
      'FGDMMeetingFac',
      'InitialPPMeetingDate',
      'ReviewMeetingsCount',
      'StepDecisionDate',
      'PPOutcome',
      'CourtAppDate',
      'LetterInitCPDate',
    ],
  },
  ssda903: {
    Header: ['CHILD', 'SEX', 'DOB', 'ETHNIC', 'UPN', 'MOTHER', 'MC_DOB'],
    Episodes: [
      'CHILD',
      'DECOM',
      'RNE',
      'LS',
      'CIN',
      'PLACE',
      'PLACE_PROVIDER',
      'DEC',
      'REC',
      'REASON_PLACE_CHANGE',
      'HOME_POST',
      'PL_POST',
      'URN',
    ],
    Reviews: ['CHILD', 'DOB', 'REVIEW', 'REVIEW_CODE'],
    UASC: ['CHILD', 'SEX', 'DOB', 'DUC'],
    OC2: [
      'CHILD',
      'DOB',
      'SDQ_SCORE',
      'SDQ_REASON',
      'CONVICTED',
      'HEALTH_CHECK',
      'IMMUNISATIONS',
      'TEETH_CHECK',
      'HEALTH_ASSESSMENT',
      'SUBSTANCE_MISUSE',
      'INTERVENTION_RECEIVED',
      'INTERVENTION_OFFERED',
    ],
    OC3: ['CHILD', 'DOB', 'IN_TOUCH', 'ACTIV', 'ACCOM'],
    AD1: ['CHILD', 'DOB', 'DATE_INT', 'DATE_MATCH', 'FOSTER_CARE', 'NB_ADOPTR', 'SEX_ADOPTR', 'LS_ADOPTR'],
    PlacedAdoption: ['CHILD', 'DOB', 'DATE_PLACED', 'DATE_PLACED_CEASED', 'REASON_PLACED_CEASED'],
    PrevPerm: ['CHILD', 'DOB', 'PREV_PERM', 'LA_PERM', 'DATE_PERM'],
    Missing: ['CHILD', 'DOB', 'MISSING', 'MIS_START', 'MIS_END'],
    SWEpisodes: ['CHILD', 'DOB', 'SW_ID', 'SW_DECOM', 'SW_DEC', 'SW_REASON'],
    DoLo: ['CHILD', 'DOB', 'DOLO_START', 'DOLO_END'],
  },
};

function check(name: string, blocks: readonly ReturnBlock[]) {
  describe(`every ${name} field has a home in the record`, () => {
    for (const [block, fields] of Object.entries(REQUIRED[name] ?? {})) {
      it(`${block}: ${fields.length} fields, each read from columns that exist`, () => {
        const mapped = blocks.find((b) => b.block === block);
        expect(mapped, `${block} is not mapped`).toBeDefined();
        const names = mapped?.fields.map((f) => f.field) ?? [];
        expect(names.sort()).toEqual([...fields].sort());
        const missing = (mapped?.fields ?? []).flatMap((f) =>
          f.columns.filter((c) => !columns.has(c)).map((c) => `${f.field} → ${c}`),
        );
        expect(missing).toEqual([]);
      });
    }
  });
}

check('cin', CIN_CENSUS);
check('ssda903', SSDA903);
