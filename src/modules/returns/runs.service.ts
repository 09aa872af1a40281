/**
 * Returns produced and validated from the web. A run is a row in `return_runs`: started by an
 * analyst, it does its work in the background of the server process while the page shows its
 * progress, then holds its output (gzipped) and, for a validation, its issues. A run that was still
 * going when the server stopped is marked failed at the next start (`failInterruptedRuns`).
 *
 * Authorisation is here, not in the routes: `returns.produce` / `returns.validate` at authority
 * scope; a run of another council reads as "not found". Producing a return reads every child in it:
 * that is audited as one entry for the run (the return itself is the list of children).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { can, type Actor } from '../access/actor.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Deps } from '../../platform/deps.ts';
import { ForbiddenError, NotFoundError } from '../../platform/errors.ts';
import type { Issue } from './validation/rule.ts';
import type { ReturnRunKind, ReturnRunStatus } from './returns.table.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const RUN_KIND_LABELS: Readonly<Record<ReturnRunKind, string>> = {
  produce_cin: 'Child in need census',
  produce_ssda903: 'Children looked after return (SSDA903)',
  produce_annex_a: 'Ofsted Annex A',
  validate_cin: 'Check a child in need census file',
  validate_ssda903: 'Check SSDA903 files',
};

export type RunProgress = (update: { stage?: string; childrenDone?: number }) => void;

export type RunResult = {
  readonly output: Uint8Array;
  readonly outputName: string;
  readonly outputType: string;
  readonly issues?: readonly Issue[];
  /** Totals when more issues were found than kept. */
  readonly errors?: number;
  readonly queries?: number;
};

/** The work a run does; it reports progress and returns its output. Errors end the run as failed. */
export type RunWork = (progress: RunProgress) => Promise<RunResult>;

/** A failure whose message is safe and useful to show (bad input, not a bug). */
export class RunInputError extends Error {}

function permissionFor(kind: ReturnRunKind): 'produce' | 'validate' {
  return kind.startsWith('validate') ? 'validate' : 'produce';
}

export function canUseReturns(actor: Actor): { produce: boolean; validate: boolean } {
  return { produce: can(actor, 'returns', 'produce'), validate: can(actor, 'returns', 'validate') };
}

/**
 * Starts a run and returns its id at once; the work goes on in the background. `settled` resolves
 * when the run has finished (tests and the CLI wait on it; the web page polls the row instead).
 */
export async function startRun(
  deps: Deps,
  actor: Actor,
  input: { kind: ReturnRunKind; year: number; requestId?: string; work: RunWork },
): Promise<{ id: string; settled: Promise<void> }> {
  if (!can(actor, 'returns', permissionFor(input.kind))) throw new ForbiddenError();
  const run = await deps.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('return_runs')
      .values({
        organisation_id: actor.organisationId,
        kind: input.kind,
        year: input.year,
        started_by: actor.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorUserId: actor.userId,
      action: input.kind.startsWith('produce') ? 'returns.produce' : 'returns.validate',
      entityType: 'return_run',
      entityId: inserted.id,
      detail: { kind: input.kind, year: input.year },
      requestId: input.requestId ?? null,
    });
    return inserted;
  });
  const settled = execute(deps, run.id, input.work);
  return { id: run.id, settled };
}

async function execute(deps: Deps, id: string, work: RunWork): Promise<void> {
  let pending: { stage?: string; childrenDone?: number } = {};
  let lastWrite = 0;
  let writing: Promise<unknown> = Promise.resolve();
  const flush = () => {
    const update = pending;
    pending = {};
    writing = writing
      .then(() =>
        deps.db
          .updateTable('return_runs')
          .set({
            ...(update.stage !== undefined ? { stage: update.stage } : {}),
            ...(update.childrenDone !== undefined ? { children_done: update.childrenDone } : {}),
          })
          .where('id', '=', id)
          .where('status', '=', 'running')
          .execute(),
      )
      .catch(() => undefined);
  };
  const progress: RunProgress = (update) => {
    pending = { ...pending, ...update };
    const now = Date.now();
    // The page polls every 2 seconds: a write every half second is plenty.
    if (now - lastWrite >= 500 || update.stage !== undefined) {
      lastWrite = now;
      flush();
    }
  };
  try {
    const result = await work(progress);
    flush();
    await writing;
    const issues = result.issues ?? [];
    const errors = result.errors ?? issues.filter((i) => i.severity === 'error').length;
    const queries = result.queries ?? issues.filter((i) => i.severity === 'query').length;
    await deps.db.transaction().execute(async (trx) => {
      for (let start = 0; start < issues.length; start += 1000) {
        await trx
          .insertInto('return_run_issues')
          .values(
            issues.slice(start, start + 1000).map((issue, i) => ({
              run_id: id,
              position: start + i,
              rule: issue.rule,
              severity: issue.severity,
              child: issue.child ?? null,
              person_id: null,
              return_table: issue.table,
              fields: issue.fields.join(', '),
              file: issue.file ?? null,
              row_number: issue.row ?? null,
              description: issue.description,
            })),
          )
          .execute();
      }
      const run = await trx
        .updateTable('return_runs')
        .set({
          status: 'done',
          stage: 'Finished',
          errors,
          queries,
          output: gzipSync(result.output),
          output_name: result.outputName,
          output_type: result.outputType,
          finished_at: deps.clock.now(),
        })
        .where('id', '=', id)
        .returning('organisation_id')
        .executeTakeFirstOrThrow();
      if (issues.length > 0) await linkIssuesToChildren(trx, id, run.organisation_id);
    });
  } catch (error) {
    await writing;
    const failure =
      error instanceof RunInputError
        ? error.message
        : 'Something went wrong while this ran. Nothing was saved; try again, and tell the support team if it happens again.';
    await deps.db
      .updateTable('return_runs')
      .set({ status: 'failed', stage: 'Failed', failure, finished_at: deps.clock.now() })
      .where('id', '=', id)
      .execute();
    if (!(error instanceof RunInputError)) throw error;
  }
}

/**
 * Issues name the return's child id: link each to the child's record when the id is Hearth's (the
 * council's person id, or the first 20 hex digits of the person's id: see identifiers.ts).
 */
async function linkIssuesToChildren(trx: Transaction<Database>, runId: string, organisationId: string): Promise<void> {
  await sql`
    UPDATE return_run_issues AS i SET person_id = p.id
    FROM people AS p
    WHERE i.run_id = ${runId} AND i.child IS NOT NULL AND p.organisation_id = ${organisationId}
      AND (p.council_person_id = i.child
        OR upper(substr(replace(p.id::text, '-', ''), 1, 20)) = i.child)`.execute(trx);
}

export type RunSummary = {
  readonly id: string;
  readonly kind: ReturnRunKind;
  readonly label: string;
  readonly year: number;
  readonly status: ReturnRunStatus;
  readonly stage: string;
  readonly childrenDone: number;
  readonly errors: number;
  readonly queries: number;
  readonly failure: string | null;
  readonly outputName: string | null;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly startedBy: string;
};

function scoped(deps: Deps, actor: Actor) {
  return deps.db
    .selectFrom('return_runs')
    .innerJoin('users', 'users.id', 'return_runs.started_by')
    .where('return_runs.organisation_id', '=', actor.organisationId)
    .select([
      'return_runs.id',
      'return_runs.kind',
      'return_runs.year',
      'return_runs.status',
      'return_runs.stage',
      'return_runs.children_done',
      'return_runs.errors',
      'return_runs.queries',
      'return_runs.failure',
      'return_runs.output_name',
      'return_runs.started_at',
      'return_runs.finished_at',
      'users.display_name as started_by_name',
    ]);
}

type RunRow = Awaited<ReturnType<ReturnType<typeof scoped>['executeTakeFirstOrThrow']>>;

function summary(row: RunRow): RunSummary {
  return {
    id: row.id,
    kind: row.kind,
    label: RUN_KIND_LABELS[row.kind],
    year: row.year,
    status: row.status,
    stage: row.stage,
    childrenDone: row.children_done,
    errors: row.errors,
    queries: row.queries,
    failure: row.failure,
    outputName: row.output_name,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    startedBy: row.started_by_name,
  };
}

function requireReturns(actor: Actor): void {
  const allowed = canUseReturns(actor);
  if (!allowed.produce && !allowed.validate) throw new NotFoundError();
}

export async function listRuns(deps: Deps, actor: Actor): Promise<RunSummary[]> {
  requireReturns(actor);
  const rows = await scoped(deps, actor).orderBy('return_runs.started_at', 'desc').limit(50).execute();
  return rows.map(summary);
}

export async function getRun(deps: Deps, actor: Actor, id: string): Promise<RunSummary> {
  requireReturns(actor);
  if (!UUID.test(id)) throw new NotFoundError();
  const row = await scoped(deps, actor).where('return_runs.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError();
  return summary(row);
}

export async function runOutput(
  deps: Deps,
  actor: Actor,
  id: string,
): Promise<{ bytes: Buffer; name: string; type: string }> {
  const run = await getRun(deps, actor, id);
  if (run.status !== 'done') throw new NotFoundError();
  const row = await deps.db
    .selectFrom('return_runs')
    .select(['output', 'output_name', 'output_type'])
    .where('id', '=', run.id)
    .executeTakeFirstOrThrow();
  if (!row.output || !row.output_name || !row.output_type) throw new NotFoundError();
  await recordAudit(deps.db, {
    actorUserId: actor.userId,
    action: 'returns.download',
    entityType: 'return_run',
    entityId: run.id,
  });
  return { bytes: gunzipSync(row.output), name: row.output_name, type: row.output_type };
}

export type RunIssuePage = {
  readonly issues: readonly {
    rule: string;
    severity: 'error' | 'query';
    child: string | null;
    personId: string | null;
    table: string;
    fields: string;
    file: string | null;
    row: number | null;
    description: string;
  }[];
  readonly total: number;
  readonly page: number;
  readonly pages: number;
};

export const ISSUES_PER_PAGE = 100;

/** A validation run's issues, by child then rule, a page at a time. */
export async function runIssues(deps: Deps, actor: Actor, id: string, page: number): Promise<RunIssuePage> {
  const run = await getRun(deps, actor, id);
  const counted = await deps.db
    .selectFrom('return_run_issues')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('run_id', '=', run.id)
    .executeTakeFirstOrThrow();
  const total = Number(counted.n);
  const pages = Math.max(1, Math.ceil(total / ISSUES_PER_PAGE));
  const current = Math.min(Math.max(1, Math.trunc(page) || 1), pages);
  const rows = await deps.db
    .selectFrom('return_run_issues')
    .selectAll()
    .where('run_id', '=', run.id)
    .orderBy('child')
    .orderBy('position')
    .limit(ISSUES_PER_PAGE)
    .offset((current - 1) * ISSUES_PER_PAGE)
    .execute();
  return {
    issues: rows.map((r) => ({
      rule: r.rule,
      severity: r.severity,
      child: r.child,
      personId: r.person_id,
      table: r.return_table,
      fields: r.fields,
      file: r.file,
      row: r.row_number,
      description: r.description,
    })),
    total,
    page: current,
    pages,
  };
}

/** At start-up: runs left "running" by a stopped server will never finish. */
export async function failInterruptedRuns(deps: Deps): Promise<void> {
  await deps.db
    .updateTable('return_runs')
    .set({
      status: 'failed',
      stage: 'Failed',
      failure: 'The server restarted while this was running. Start it again.',
      finished_at: deps.clock.now(),
    })
    .where('status', '=', 'running')
    .execute();
}
