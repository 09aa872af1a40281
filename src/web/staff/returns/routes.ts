import { createWriteStream } from 'node:fs';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../../modules/access/actor.ts';
import {
  canUseReturns,
  getRun,
  listRuns,
  runIssues,
  runOutput,
  startRun,
} from '../../../modules/returns/runs.service.ts';
import { checkWork, produceWork, PRODUCE_YEARS, CHECK_YEARS } from '../../../modules/returns/works.ts';
import type { ReturnRunKind } from '../../../modules/returns/returns.table.ts';
import type { Deps } from '../../../platform/deps.ts';
import { NotFoundError, type FieldError } from '../../../platform/errors.ts';
import { field, formErrors } from '../../forms.ts';
import { actorOf } from '../guard.ts';

/** The largest upload to check, in all (a CIN census of 50,000 children is about 60 MB). */
export const MAX_UPLOAD_MB = 512;

type Uploaded = { path: string; filename: string; field: string };
type UploadRequest = FastifyRequest & { uploadDir?: string; uploaded?: Uploaded[] };

const PRODUCE_KINDS: readonly ReturnRunKind[] = ['produce_cin', 'produce_ssda903', 'produce_annex_a'];
const CHECK_KINDS: readonly ReturnRunKind[] = ['validate_cin', 'validate_ssda903'];

/**
 * Statutory returns: make the CIN census, SSDA903 or Annex A from the records, or check files made
 * elsewhere; each run shows its progress (the page refreshes itself, no JavaScript needed) and then
 * its download and problems, by child, linked to the child's record where Hearth has one.
 */
export async function returnsRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  // Uploads stream to a private temporary folder, never into memory; it is removed when the check ends.
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: MAX_UPLOAD_MB * 1024 * 1024, files: 40, fields: 20, fieldSize: 1000 },
    async onFile(this: FastifyRequest, part: MultipartFile) {
      const request = this as UploadRequest;
      request.uploadDir ??= await mkdtemp(join(tmpdir(), 'hearth-check-'));
      request.uploaded ??= [];
      const name = basename(part.filename)
        .replace(/[^A-Za-z0-9._-]/g, '_')
        .slice(0, 100);
      if (name === '' || name === '.' || name === '..') {
        part.file.resume();
        return;
      }
      const folder = join(request.uploadDir, part.fieldname === 'previous' ? 'previous' : 'current');
      await mkdir(folder, { recursive: true });
      const path = join(folder, name);
      await pipeline(part.file, createWriteStream(path));
      if (part.file.truncated) throw Object.assign(new Error('file too large'), { statusCode: 413 });
      request.uploaded.push({ path, filename: name, field: part.fieldname });
    },
  });
  app.addHook('onResponse', async (request) => {
    const dir = (request as UploadRequest).uploadDir;
    // A check that started owns its folder (it removes it when done); otherwise remove it now.
    if (dir && !(request as UploadRequest & { keepUpload?: boolean }).keepUpload) {
      await rm(dir, { recursive: true, force: true });
    }
  });

  async function renderIndex(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { errors?: readonly FieldError[]; values?: Record<string, string> } = {},
  ) {
    const actor = actorOf(request);
    const runs = await listRuns(deps, actor);
    const values = extra.values ?? {};
    const years = (list: readonly number[], chosen: string | undefined) =>
      list.map((y) => ({ value: String(y), text: `31 March ${y}`, selected: String(y) === chosen }));
    if (extra.errors) reply.code(400);
    return reply.view('pages/returns/index.njk', {
      allowed: canUseReturns(actor),
      runs,
      values,
      produceYears: years(PRODUCE_YEARS(deps.clock.now()), values.year ?? String(defaultYear(deps))),
      checkYears: years(CHECK_YEARS, values.checkYear ?? String(Math.min(defaultYear(deps), 2027))),
      maxUploadMb: MAX_UPLOAD_MB,
      errors: extra.errors ? formErrors(extra.errors, { kind: 'kind', checkKind: 'checkKind' }) : undefined,
    });
  }

  app.get('/returns', async (request, reply) => renderIndex(request, reply));

  app.post('/returns/produce', async (request, reply) => {
    const actor = actorOf(request);
    if (!canUseReturns(actor).produce) throw new NotFoundError();
    const kind = field(request.body, 'kind', 40) as ReturnRunKind;
    const yearText = field(request.body, 'year', 4);
    const year = Number.parseInt(yearText, 10);
    const errors: FieldError[] = [];
    if (!PRODUCE_KINDS.includes(kind)) errors.push({ field: 'kind', message: 'Choose which return to make' });
    if (!PRODUCE_YEARS(deps.clock.now()).includes(year)) {
      errors.push({ field: 'year', message: 'Choose the year the return is for' });
    }
    if (errors.length > 0) return renderIndex(request, reply, { errors, values: { kind, year: yearText } });
    const run = await startRun(deps, actor, {
      kind,
      year,
      requestId: request.id,
      work: produceWork(deps, actor, kind, year),
    });
    run.settled.catch((error: unknown) => {
      request.log.error({ err: { message: (error as Error).message } }, 'return run failed');
    });
    await shortWait(run.settled);
    return reply.redirect(`/returns/runs/${run.id}`, 303);
  });

  app.post('/returns/check', async (request, reply) => {
    const actor: Actor = actorOf(request);
    if (!canUseReturns(actor).validate) throw new NotFoundError();
    const upload = request as UploadRequest & { keepUpload?: boolean };
    const kind = field(request.body, 'checkKind', 40) as ReturnRunKind;
    const yearText = field(request.body, 'checkYear', 4);
    const year = Number.parseInt(yearText, 10);
    const files = (upload.uploaded ?? []).filter((f) => f.field === 'files');
    const errors: FieldError[] = [];
    if (!CHECK_KINDS.includes(kind))
      errors.push({ field: 'checkKind', message: 'Choose what you are checking' });
    if (!CHECK_YEARS.includes(year))
      errors.push({ field: 'checkYear', message: 'Choose the year the files are for' });
    if (files.length === 0) errors.push({ field: 'files', message: 'Choose the files to check' });
    else if (kind === 'validate_cin' && files.length !== 1) {
      errors.push({ field: 'files', message: 'Choose one child in need census file' });
    }
    if (errors.length > 0 || !upload.uploadDir) {
      return renderIndex(request, reply, { errors, values: { checkKind: kind, checkYear: yearText } });
    }
    const dir = upload.uploadDir;
    upload.keepUpload = true;
    const hasPrevious = (upload.uploaded ?? []).some((f) => f.field === 'previous');
    const inner = checkWork(
      kind,
      year,
      {
        current: kind === 'validate_cin' ? (files[0]?.path ?? '') : join(dir, 'current'),
        previous: hasPrevious ? join(dir, 'previous') : undefined,
      },
      { db: deps.db, organisationId: actor.organisationId },
    );
    const run = await startRun(deps, actor, {
      kind,
      year,
      requestId: request.id,
      work: async (progress) => {
        try {
          return await inner(progress);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    });
    run.settled.catch((error: unknown) => {
      request.log.error({ err: { message: (error as Error).message } }, 'return check failed');
    });
    await shortWait(run.settled);
    return reply.redirect(`/returns/runs/${run.id}`, 303);
  });

  app.get<{ Params: { id: string }; Querystring: { page?: string } }>(
    '/returns/runs/:id',
    async (request, reply) => {
      const actor = actorOf(request);
      const run = await getRun(deps, actor, request.params.id);
      const page = Number.parseInt(typeof request.query.page === 'string' ? request.query.page : '1', 10);
      const issues =
        run.status === 'done' && (run.kind.startsWith('validate') || run.errors + run.queries > 0)
          ? await runIssues(deps, actor, run.id, Number.isFinite(page) ? page : 1)
          : undefined;
      return reply.view('pages/returns/run.njk', { run, issues });
    },
  );

  app.get<{ Params: { id: string } }>('/returns/runs/:id/download', async (request, reply) => {
    const file = await runOutput(deps, actorOf(request), request.params.id);
    return reply
      .header('content-type', file.type)
      .header('content-disposition', `attachment; filename="${file.name}"`)
      .send(file.bytes);
  });
}

/**
 * Most runs take a second or two: wait up to 5 s so the first page shows the result; longer runs
 * show their progress page, which refreshes itself.
 */
async function shortWait(settled: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    settled.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 5000);
    }),
  ]);
  clearTimeout(timer);
}

/** The latest year end that has passed (a return is made after 31 March). */
function defaultYear(deps: Deps): number {
  const now = deps.clock.now();
  return now.getUTCMonth() >= 3 ? now.getUTCFullYear() : now.getUTCFullYear() - 1;
}
