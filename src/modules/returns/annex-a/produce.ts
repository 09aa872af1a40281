/**
 * The Annex A workbook: one sheet per list, written with ExcelJS's streaming writer (rows are
 * committed as they are added, so memory stays small), plus a cover sheet saying when it was made
 * and which columns Hearth leaves blank.
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Kysely } from 'kysely';
import type { Database } from '../../../db/database.ts';
import { dayToUk } from '../validation/dates.ts';
import { ANNEX_A_LISTS, type AnnexAWindow } from './lists.ts';

export const ANNEX_A_BLANK_COLUMNS =
  'Left blank because Hearth does not hold them: Date of Last IRO Visit/Contact (list 8), ' +
  'Suitability of Accommodation (list 9), Family identifier (list 10) and list 11 (adopters, held by ' +
  'the regional adoption agency).';

export type AnnexAResult = { readonly bytes: Buffer; readonly rowsPerList: readonly number[] };

export async function annexAWorkbook(
  db: Kysely<Database>,
  window: AnnexAWindow,
  onList?: (list: number, rows: number) => void,
): Promise<AnnexAResult> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
  workbook.creator = 'Hearth';
  const cover = workbook.addWorksheet('About');
  cover.addRow(['Ofsted Annex A (ILACS) lists, made by Hearth from the practice record']).commit();
  cover.addRow(['As at', dayToUk(window.asAt)]).commit();
  cover.addRow(['Covers', 'The 6 months up to that date (referrals: 12 months)']).commit();
  cover.addRow([ANNEX_A_BLANK_COLUMNS]).commit();
  cover.commit();
  const counts: number[] = [];
  for (const list of ANNEX_A_LISTS) {
    const rows = await list.rows(db, window);
    const sheet = workbook.addWorksheet(list.sheet);
    const header = sheet.addRow([...list.columns]);
    header.font = { bold: true };
    header.commit();
    for (const cells of rows) sheet.addRow(cells).commit();
    sheet.commit();
    counts.push(rows.length);
    onList?.(list.number, rows.length);
  }
  await workbook.commit();
  await done;
  return { bytes: Buffer.concat(chunks), rowsPerList: counts };
}
