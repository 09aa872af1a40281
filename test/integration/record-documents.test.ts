import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { MAX_DOCUMENT_BYTES, safeFilename } from '../../src/modules/help/documents.ts';
import { openOrContinueEpisode } from '../../src/modules/help/episodes.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { UPLOAD_BODY_LIMIT } from '../../src/web/staff/record/documents-routes.ts';
import { expectGovukErrorPage, signedInAs, snapshot } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { Browser, csrfFrom, testApp } from '../support/web.ts';
import { makeWorld, testClock, testDeps, type TestUser } from '../support/world.ts';

let handle: DbHandle;
let deps: Deps;
let world: Awaited<ReturnType<typeof makeWorld>>;
let app: FastifyInstance;
let worker: TestUser;
let childId: string;

beforeAll(async () => {
  handle = await openTestDb();
  deps = testDeps(handle, { clock: testClock(new Date('2026-12-17T15:00:00Z')) });
  world = await makeWorld(deps);
  app = await testApp(deps);
  worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  childId = await world.child({ teamId: world.teamA, workerId: worker.id });
  await deps.db.transaction().execute((trx) =>
    openOrContinueEpisode(trx, {
      organisationId: world.organisationId,
      personId: childId,
      status: 'family_help',
      on: '2026-11-02',
      reason: 'Family asked for help',
      actorUserId: worker.id,
    }),
  );
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

type Upload = { name: string; bytes: Uint8Array; type?: string };

/** A multipart/form-data body exactly as a browser's FormData makes it. */
async function multipart(fields: Record<string, string>, file?: Upload) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  if (file) {
    form.append(
      'file',
      new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type ?? 'application/octet-stream' }),
      file.name,
    );
  }
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return {
    contentType: request.headers.get('content-type') ?? '',
    payload: Buffer.from(await request.arrayBuffer()),
  };
}

async function upload(
  browser: Browser,
  fields: Record<string, string>,
  file?: Upload,
  url = `/children/${childId}/documents`,
) {
  const body = await multipart(fields, file);
  return app.inject({
    method: 'POST',
    url,
    headers: { cookie: browser.cookieHeader(), 'content-type': body.contentType },
    payload: body.payload,
  });
}

async function tokenOf(browser: Browser): Promise<string> {
  return csrfFrom((await browser.get('/')).body);
}

function pdf(size: number): Uint8Array {
  const bytes = randomBytes(size);
  bytes.set(new TextEncoder().encode('%PDF-1.7\n'), 0);
  return bytes;
}

async function documentsOfChild() {
  return deps.db
    .selectFrom('documents')
    .selectAll()
    .where('person_id', '=', childId)
    .orderBy('uploaded_at')
    .execute();
}

describe('documents', () => {
  it('offers an upload form that works without JavaScript', async () => {
    const browser = await signedInAs(app, deps, worker.id);
    const page = await browser.get(`/children/${childId}/documents`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(
      /<form method="post" action="\/children\/[0-9a-f-]+\/documents" enctype="multipart\/form-data"/,
    );
    expect(page.body).toContain('name="_csrf"');
    expect(page.body).toContain('type="file"');
  });

  it('uploads and downloads a document: the same bytes, safe headers, a chronology entry and audit rows', async () => {
    const browser = await signedInAs(app, deps, worker.id);
    const bytes = pdf(200_000);
    const response = await upload(
      browser,
      { _csrf: await tokenOf(browser), title: 'Letter from the school' },
      { name: 'Letter from Oak Lane (March).pdf', bytes, type: 'application/pdf' },
    );
    expect(response.statusCode, response.body.slice(0, 400)).toBe(303);
    expect(response.headers.location).toBe(`/children/${childId}/documents`);
    const [document] = await documentsOfChild();
    if (!document) throw new Error('no document stored');
    expect(document).toMatchObject({
      title: 'Letter from the school',
      filename: 'Letter-from-Oak-Lane-March.pdf',
      content_type: 'application/pdf',
      size_bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      uploaded_by: worker.id,
    });

    const list = await browser.get(`/children/${childId}/documents`);
    expect(list.body).toContain('Letter from the school');
    expect(list.body).toContain(`href="/children/${childId}/documents/${document.id}"`);

    const download = await browser.get(`/children/${childId}/documents/${document.id}`);
    expect(download.statusCode).toBe(200);
    expect(Buffer.compare(download.rawPayload, Buffer.from(bytes))).toBe(0);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="Letter-from-Oak-Lane-March.pdf"; filename*=UTF-8''Letter-from-Oak-Lane-March.pdf`,
    );
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.headers['cache-control']).toBe('no-store');
    expect(String(download.headers['content-security-policy'])).toContain('sandbox');

    const entry = await deps.db
      .selectFrom('chronology_entries')
      .selectAll()
      .where('source_type', '=', 'document')
      .where('source_id', '=', document.id)
      .executeTakeFirstOrThrow();
    expect(entry).toMatchObject({
      kind: 'automatic',
      summary: 'Document added: Letter from the school',
      occurred_on: '2026-12-17',
    });
    const audits = await deps.db
      .selectFrom('audit_log')
      .select(['action', 'detail'])
      .where('entity_id', '=', document.id)
      .orderBy('seq')
      .execute();
    expect(audits.map((a) => a.action)).toEqual(['document.upload', 'document.download']);
    // Ids and codes only: neither the title nor the filename is in the audit log.
    expect(JSON.stringify(audits)).not.toContain('Letter');
  });

  it('makes a hostile filename safe and serves text as a download, never as a page', async () => {
    const browser = await signedInAs(app, deps, worker.id);
    const response = await upload(
      browser,
      { _csrf: await tokenOf(browser), title: 'Notes from the family' },
      {
        name: '..\\..\\evil"\r\nSet-Cookie: x=1 <script>.txt',
        bytes: new TextEncoder().encode('<script>alert(1)</script>'),
        type: 'text/html',
      },
    );
    expect(response.statusCode).toBe(303);
    const document = (await documentsOfChild()).find((d) => d.title === 'Notes from the family');
    expect(document?.filename).toMatch(/^[A-Za-z0-9_-]+\.txt$/);
    const download = await browser.get(`/children/${childId}/documents/${document?.id ?? ''}`);
    expect(download.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(download.headers['content-disposition']).toMatch(/^attachment; filename="[A-Za-z0-9_.-]+"/);
    expect(download.headers['set-cookie']).toBeUndefined();
    expect(safeFilename('C:\\Users\\me\\Café plan.docx', 'docx')).toBe('Cafe-plan.docx');
    expect(safeFilename('***.pdf', 'pdf')).toBe('document.pdf');
  });

  it('refuses files that are too large, of the wrong type, empty or missing, with clear errors and the title kept', async () => {
    const browser = await signedInAs(app, deps, worker.id);
    const token = await tokenOf(browser);
    const before = await documentsOfChild();
    const cases: [Upload | undefined, string][] = [
      [
        { name: 'big.pdf', bytes: pdf(MAX_DOCUMENT_BYTES + 1) },
        'The selected file must be smaller than 10MB',
      ],
      [
        { name: 'page.html', bytes: new TextEncoder().encode('<html></html>') },
        'The selected file must be a PDF',
      ],
      [{ name: 'run.exe', bytes: new Uint8Array([0x4d, 0x5a, 0x90, 0]) }, 'The selected file must be a PDF'],
      // A name that claims PDF over bytes that are not.
      [{ name: 'fake.pdf', bytes: new Uint8Array([0x4d, 0x5a, 0x90, 0]) }, 'The selected file must be a PDF'],
      [{ name: 'empty.pdf', bytes: new Uint8Array(0) }, 'The selected file is empty'],
      [{ name: '', bytes: new Uint8Array(0) }, 'Select a file'],
      [undefined, 'Select a file'],
    ];
    for (const [file, message] of cases) {
      const response = await upload(browser, { _csrf: token, title: 'Kept title' }, file);
      expect(response.statusCode, message).toBe(400);
      expect(response.body).toContain('There is a problem');
      expect(response.body).toContain('href="#file"');
      expect(response.body).toContain(message);
      expect(response.body).toContain('value="Kept title"');
    }
    const untitled = await upload(
      browser,
      { _csrf: token, title: ' ' },
      { name: 'a.txt', bytes: new TextEncoder().encode('hello') },
    );
    expect(untitled.statusCode).toBe(400);
    expect(untitled.body).toContain('href="#title"');
    expect(untitled.body).toContain('Enter a title for the document');

    // Beyond what an upload may send at all: refused before it is read.
    const huge = await upload(
      browser,
      { _csrf: token, title: 'Huge' },
      { name: 'huge.pdf', bytes: pdf(UPLOAD_BODY_LIMIT + 1) },
    );
    expectGovukErrorPage(huge, 413, 'The information you sent was too large');
    expect(await documentsOfChild()).toHaveLength(before.length);
  });

  it('checks the anti-forgery token on multipart posts, and takes uploads only from signed-in staff', async () => {
    const browser = await signedInAs(app, deps, worker.id);
    const other = await signedInAs(app, deps, worker.id);
    const foreign = await tokenOf(other);
    const file = { name: 'a.txt', bytes: new TextEncoder().encode('hello') };
    const before = await snapshot(handle);
    for (const fields of [
      { title: 'No token' },
      { _csrf: foreign, title: 'Another session’s token' },
      { _csrf: 'zz', title: 'Garbage' },
    ]) {
      const response = await upload(browser, fields, file);
      expect(response.statusCode).toBe(403);
      expect(response.body).toContain('This page has expired');
    }
    const anonymous = await upload(
      new Browser(app),
      { _csrf: await tokenOf(browser), title: 'Anonymous' },
      file,
    );
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/sign-in');
    const after = await snapshot(handle);
    for (const table of Object.keys(before)) {
      if (table === 'sessions' || table === 'audit_log') continue;
      expect(after[table], table).toBe(before[table]);
    }
    // A malformed body is a 400, never a crash.
    const malformed = await app.inject({
      method: 'POST',
      url: `/children/${childId}/documents`,
      headers: {
        cookie: browser.cookieHeader(),
        'content-type': 'multipart/form-data; boundary=nothing-here',
      },
      payload: 'this is not multipart',
    });
    expectGovukErrorPage(malformed, 400);
    // The token from the session's own page works.
    const genuine = await upload(browser, { _csrf: await tokenOf(browser), title: 'With the token' }, file);
    expect(genuine.statusCode).toBe(303);
  });

  it('refuses uploads and downloads by a worker in another team with "not found"', async () => {
    const [document] = await documentsOfChild();
    const outsider = await world.user({ roles: ['practitioner'], teamIds: [world.teamB] });
    const other = await signedInAs(app, deps, outsider.id);
    const before = (await documentsOfChild()).length;
    const response = await upload(
      other,
      { _csrf: await tokenOf(other), title: 'Out of scope' },
      { name: 'a.txt', bytes: new TextEncoder().encode('hello') },
    );
    expectGovukErrorPage(response, 404, 'Page not found');
    expectGovukErrorPage(
      await other.get(`/children/${childId}/documents/${document?.id ?? ''}`),
      404,
      'Page not found',
    );
    expectGovukErrorPage(await other.get(`/children/${childId}/documents`), 404, 'Page not found');
    expect((await documentsOfChild()).length).toBe(before);
    // A document id under another child's address is not found either.
    const browser = await signedInAs(app, deps, worker.id);
    const sibling = await world.child({ teamId: world.teamA, workerId: worker.id, given: 'Sam' });
    expectGovukErrorPage(await browser.get(`/children/${sibling}/documents/${document?.id ?? ''}`), 404);
  });
});
