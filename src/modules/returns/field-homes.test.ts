import { sql } from 'kysely';
import { SSDA903_COLUMNS } from './ssda903/model.ts';
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
const REQUIRED: Record<string, Readonly<Record<string, readonly string[]>>> = {
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
  // The SSDA903 files and columns are those the readers and writers use (one list, in the model).
  ssda903: SSDA903_COLUMNS,
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
