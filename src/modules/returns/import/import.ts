/**
 * Importing past returns (the on-ramp): a council that has not yet moved its casework to Hearth
 * loads its past CIN census XML files and SSDA903 CSV sets into Hearth's own tables, to get
 * Hearth's insight on day one. What goes where: docs/returns/import.md.
 *
 * - `planImport` is the dry run: every file is read and checked, and the import is carried out in
 *   a transaction that is then rolled back, so the report says exactly what would be created,
 *   updated or left unchanged, per file and table, and lists every problem by file, row and field.
 * - `runImport` does the same and commits — only when there is no problem at all (all or nothing,
 *   one transaction) — with one audit entry holding counts only.
 *
 * Files are applied oldest year first (CIN census files, then SSDA903 sets), each child matched by
 * the return's child id in `people.council_person_id`, so a child in several years' files is one
 * person with one continuous history, and importing the same files twice changes nothing.
 *
 * Imported children get no allocation: they have no live work, so they are seen by the roles whose
 * scope is the whole authority (senior leaders, performance analysts), not in any team's caseload.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../db/database.ts';
import { recordAudit } from '../../../platform/audit/audit.ts';
import { openCin } from '../cin/read.ts';
import { ReturnFileError } from '../errors.ts';
import { readSsda903 } from '../ssda903/read.ts';
import { RowProblem, Writer } from './apply.ts';
import { totals, type FileReport, type ImportProblem, type ImportReport } from './model.ts';
import { child903Facts, cinChildFacts, type Child903Facts, type CinChildFacts } from './parse.ts';

export type ImportRequest = {
  readonly organisationId: string;
  /** CIN census XML files (any years, any order). */
  readonly cin?: readonly string[] | undefined;
  /** SSDA903 directories, each with the year it ends in (2026 = 2025-26). */
  readonly ssda903?: readonly { readonly dir: string; readonly year: number }[] | undefined;
  /** Who is importing (the audit entry's actor); null for the command line. */
  readonly actorUserId?: string | null | undefined;
};

type Loaded =
  | { kind: 'cin'; report: FileReport; children: CinChildFacts[] }
  | { kind: 'ssda903'; report: FileReport; children: Child903Facts[] };

function fileReport(file: string, kind: 'cin' | 'ssda903', year: number): FileReport {
  return { file, kind, year, children: 0, tables: {}, skipped: {} };
}

function fileProblem(problems: ImportProblem[], error: ReturnFileError): void {
  problems.push({
    file: error.file,
    row: error.line,
    child: undefined,
    field: '(file)',
    message: error.detail,
  });
}

async function load(
  request: ImportRequest,
  problems: ImportProblem[],
  warnings: string[],
): Promise<Loaded[]> {
  const loaded: Loaded[] = [];
  for (const path of request.cin ?? []) {
    try {
      const census = await openCin(path, { file: path });
      const year = Number(census.header.Year);
      if (!Number.isInteger(year) || year < 2000 || year > 2100) {
        problems.push({
          file: path,
          row: undefined,
          child: undefined,
          field: 'Year',
          message: `the Header's Year “${census.header.Year ?? ''}” is not a census year`,
        });
        continue;
      }
      const report = fileReport(path, 'cin', year);
      const children: CinChildFacts[] = [];
      for await (const child of census.children) {
        report.children += 1;
        const facts = cinChildFacts(child, path, problems);
        if (facts) children.push(facts);
      }
      warnings.push(...census.warnings.map((w) => `${path}: ${w}`));
      loaded.push({ kind: 'cin', report, children });
    } catch (error) {
      if (!(error instanceof ReturnFileError)) throw error;
      fileProblem(problems, error);
    }
  }
  for (const { dir, year } of request.ssda903 ?? []) {
    try {
      const ret = await readSsda903(dir, year);
      const report = fileReport(dir, 'ssda903', year);
      const children: Child903Facts[] = [];
      for (const child of ret.children) {
        report.children += 1;
        const facts = child903Facts(child, ret.files, problems);
        if (facts) children.push(facts);
      }
      warnings.push(...ret.warnings.map((w) => `${dir}: ${w}`));
      loaded.push({ kind: 'ssda903', report, children });
    } catch (error) {
      if (!(error instanceof ReturnFileError)) throw error;
      fileProblem(problems, error);
    }
  }
  // Oldest first, CIN census before SSDA903 within a year; given order otherwise.
  return loaded
    .map((l, i) => ({ l, i }))
    .sort((a, b) => a.l.report.year - b.l.report.year || a.l.kind.localeCompare(b.l.kind) || a.i - b.i)
    .map(({ l }) => l);
}

/** The account imported assessments are authorised by: a disabled account that can never sign in. */
async function importAccount(db: Kysely<Database>, organisationId: string): Promise<string> {
  const email = `past-returns.${organisationId}@import.hearth.invalid`;
  const found = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (found) return found.id;
  const created = await db
    .insertInto('users')
    .values({
      organisation_id: organisationId,
      email,
      display_name: 'Past returns (imported)',
      password_hash: null,
      disabled_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return created.id;
}

class RollBack extends Error {}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // Database messages name constraints and columns, never values.
  return message.split('\n')[0] ?? message;
}

async function importReturns(
  db: Kysely<Database>,
  request: ImportRequest,
  commit: boolean,
): Promise<ImportReport> {
  const problems: ImportProblem[] = [];
  const warnings: string[] = [];
  const loaded = await load(request, problems, warnings);
  const report: ImportReport = { files: loaded.map((l) => l.report), problems, warnings, applied: false };
  if (commit && problems.length > 0) return report;
  try {
    await db.transaction().execute(async (trx) => {
      const writer = new Writer(
        trx,
        request.organisationId,
        await importAccount(trx, request.organisationId),
      );
      for (const file of loaded) {
        writer.report = file.report;
        writer.yearEnd = `${String(file.report.year)}-03-31`;
        const children: (CinChildFacts | Child903Facts)[] = file.children;
        for (const child of children) {
          await sql`SAVEPOINT import_child`.execute(trx);
          try {
            if (file.kind === 'cin') await writer.cinChild(child as CinChildFacts);
            else await writer.child903(child as Child903Facts, file.report.year);
            await sql`RELEASE SAVEPOINT import_child`.execute(trx);
          } catch (error) {
            await sql`ROLLBACK TO SAVEPOINT import_child`.execute(trx);
            const where = error instanceof RowProblem ? error.where : child.where;
            problems.push({
              file: where.file,
              row: where.row,
              child: child.person.childId,
              field: error instanceof RowProblem ? error.field : '(child)',
              message:
                error instanceof RowProblem
                  ? error.message
                  : `the child's records could not be stored: ${describe(error)}`,
            });
          }
        }
      }
      if (!commit || problems.length > 0) throw new RollBack();
      const sum = totals(report);
      await recordAudit(trx, {
        actorUserId: request.actorUserId ?? null,
        action: 'returns.import',
        entityType: 'organisation',
        entityId: request.organisationId,
        detail: {
          files: loaded.map((l) => ({ kind: l.kind, year: l.report.year, children: l.report.children })),
          created: Object.values(sum).reduce((n, c) => n + c.created, 0),
          updated: Object.values(sum).reduce((n, c) => n + c.updated, 0),
          unchanged: Object.values(sum).reduce((n, c) => n + c.unchanged, 0),
        },
      });
    });
    report.applied = true;
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
  }
  return report;
}

/** The dry run: what the import would create and update, and every problem; nothing is written. */
export function planImport(db: Kysely<Database>, request: ImportRequest): Promise<ImportReport> {
  return importReturns(db, request, false);
}

/** The import, in one transaction: written only when there is no problem at all. */
export function runImport(db: Kysely<Database>, request: ImportRequest): Promise<ImportReport> {
  return importReturns(db, request, true);
}
