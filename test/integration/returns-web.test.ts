import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { returnChildId } from '../../src/modules/returns/identifiers.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { expectGovukErrorPage, signedInAs } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { csrfFrom, testApp, type Browser } from '../support/web.ts';
import { makeWorld, testClock, testDeps, type TestUser } from '../support/world.ts';

/**
 * Statutory returns from the web: an analyst makes the CIN census and Annex A from the record and
 * downloads them, checks a file made elsewhere (uploaded) and sees its problems by child, linked to
 * the child's record; bad input re-renders the form; practitioners and other councils see nothing.
 */

let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let world: Awaited<ReturnType<typeof makeWorld>>;
let analyst: TestUser;
let practitioner: TestUser;
let childId: string;
let otherAnalyst: TestUser;

beforeAll(async () => {
  handle = await openTestDb();
  deps = testDeps(handle, { clock: testClock(new Date('2026-06-01T10:00:00Z')) });
  world = await makeWorld(deps);
  app = await testApp(deps);
  analyst = await world.user({ roles: ['performance_analyst'] });
  practitioner = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
  childId = await world.child({ teamId: world.teamA, workerId: practitioner.id, given: 'Ada', family: 'Okoro' });
  await deps.db
    .updateTable('people')
    .set({ date_of_birth: '2016-02-03', sex: 'F', ethnicity: 'BAFR', disabilities: ['NONE'] })
    .where('id', '=', childId)
    .execute();
  // A referral in the 2025-26 census year: assessed, no further action, closed.
  const episode = await deps.db
    .insertInto('help_episodes')
    .values({
      organisation_id: world.organisationId,
      person_id: childId,
      started_on: '2025-09-01',
      status: 'closed',
      status_since: '2025-10-10',
      closed_on: '2025-10-10',
      closure_reason: 'RC8',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const referral = await deps.db
    .insertInto('cin_referrals')
    .values({
      episode_id: episode.id,
      referral_date: '2025-09-01',
      referral_source: '2A',
      primary_need: 'N4',
      closed_on: '2025-10-10',
      closure_reason: 'RC8',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await deps.db
    .insertInto('assessments')
    .values({
      episode_id: episode.id,
      person_id: childId,
      cin_referral_id: referral.id,
      kind: 'child_and_family',
      status: 'authorised',
      started_on: '2025-09-02',
      due_on: '2025-10-28',
      completed_on: '2025-10-08',
      authorised_on: '2025-10-09',
      authorised_by: practitioner.id,
      child_seen: true,
      outcome: 'no_further_action',
    })
    .execute();
  // Another council with its own analyst.
  const other = await deps.db
    .insertInto('organisations')
    .values({ name: 'Elsewhere Council', kind: 'local_authority' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const otherUser = await world.user({ roles: ['performance_analyst'] });
  await deps.db.updateTable('users').set({ organisation_id: other.id }).where('id', '=', otherUser.id).execute();
  otherAnalyst = otherUser;
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

async function finished(runId: string): Promise<{ status: string; errors: number; children_done: number }> {
  for (let i = 0; i < 600; i += 1) {
    const run = await deps.db
      .selectFrom('return_runs')
      .select(['status', 'errors', 'children_done'])
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    if (run.status !== 'running') return run;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the run did not finish');
}

function runIdFrom(location: unknown): string {
  const match = /^\/returns\/runs\/([0-9a-f-]{36})$/.exec(String(location));
  if (!match?.[1]) throw new Error(`not a run page: ${String(location)}`);
  return match[1];
}

function multipart(
  fields: Record<string, string>,
  files: { field: string; name: string; content: string | Buffer }[],
): { payload: Buffer; contentType: string } {
  const boundary = '----hearth-test-boundary';
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const file of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\n` +
          'Content-Type: application/octet-stream\r\n\r\n',
      ),
      Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function upload(browser: Browser, fields: Record<string, string>, files: Parameters<typeof multipart>[1]) {
  const token = csrfFrom((await browser.get('/returns')).body);
  const { payload, contentType } = multipart({ _csrf: token, ...fields }, files);
  return browser.app.inject({
    method: 'POST',
    url: '/returns/check',
    headers: { cookie: browser.cookieHeader(), 'content-type': contentType },
    payload,
  });
}

describe('statutory returns from the web', () => {
  it('shows the returns page to an analyst and not to a practitioner', async () => {
    const page = await (await signedInAs(app, deps, analyst.id)).get('/returns');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Make a return');
    expect(page.body).toContain('Check a return made elsewhere');
    expect(page.body).toContain('href="/returns"');
    const refused = await (await signedInAs(app, deps, practitioner.id)).get('/returns');
    expectGovukErrorPage(refused, 404);
  });

  it('makes the CIN census with progress, then offers it to download, already checked', async () => {
    const browser = await signedInAs(app, deps, analyst.id);
    const started = await browser.post('/returns/produce', { kind: 'produce_cin', year: '2026' }, { tokenFrom: '/returns' });
    expect(started.statusCode).toBe(303);
    const runId = runIdFrom(started.headers.location);
    const whileRunning = await browser.get(`/returns/runs/${runId}`);
    expect(whileRunning.statusCode).toBe(200);
    const run = await finished(runId);
    expect(run.status).toBe('done');
    expect(run.children_done).toBe(1);
    const page = await browser.get(`/returns/runs/${runId}`);
    expect(page.body).toContain('Download CIN_Census_2026.xml');
    expect(page.body).not.toContain('http-equiv="refresh"');
    const file = await browser.get(`/returns/runs/${runId}/download`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toContain('application/xml');
    expect(file.headers['content-disposition']).toContain('CIN_Census_2026.xml');
    expect(file.body).toContain(`<LAchildID>${returnChildId(childId, null)}</LAchildID>`);
    expect(file.body).toContain('<CINreferralDate>2025-09-01</CINreferralDate>');
    const audit = await deps.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', runId)
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['returns.download', 'returns.produce']);
  });

  it('makes the Annex A workbook with a sheet per list and the child in the referrals list', async () => {
    const browser = await signedInAs(app, deps, analyst.id);
    const started = await browser.post('/returns/produce', { kind: 'produce_annex_a', year: '2026' }, { tokenFrom: '/returns' });
    const runId = runIdFrom(started.headers.location);
    expect((await finished(runId)).status).toBe('done');
    const file = await browser.app.inject({
      method: 'GET',
      url: `/returns/runs/${runId}/download`,
      headers: { cookie: browser.cookieHeader() },
    });
    expect(file.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(file.rawPayload as unknown as ArrayBuffer);
    const names = workbook.worksheets.map((s) => s.name);
    expect(names).toHaveLength(12);
    expect(names).toContain('List 3 Referrals');
    const referrals = workbook.getWorksheet('List 3 Referrals');
    const values = referrals?.getRow(2).values as unknown[];
    expect(values).toContain(returnChildId(childId, null));
    expect(values).toContain('01/09/2025');
    expect(values).toContain('b) Female');
    const assessments = workbook.getWorksheet('List 4 Assessments')?.getRow(2).values as unknown[];
    expect(assessments).toContain('09/10/2025');
    expect(assessments).toContain('No');
  });

  it('checks an uploaded CIN census and lists its problems by child, linked to the record', async () => {
    const browser = await signedInAs(app, deps, analyst.id);
    const lachild = returnChildId(childId, null);
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2026</Year><ReferenceDate>2026-03-31</ReferenceDate></CollectionDetails>
<Source><SourceLevel>L</SourceLevel><LEA>919</LEA><SoftwareCode>Other</SoftwareCode><Release>1</Release><SerialNo>001</SerialNo><DateTime>2026-04-02T09:00:00</DateTime></Source></Header>
<Children><Child><ChildIdentifiers><LAchildID>${lachild}</LAchildID><UPNunknown>UN1</UPNunknown><PersonBirthDate>2016-02-03</PersonBirthDate><Sex>F</Sex></ChildIdentifiers>
<ChildCharacteristics><Ethnicity>XXXX</Ethnicity><Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>
<CINdetails><CINreferralDate>2025-09-01</CINreferralDate><ReferralSource>2A</ReferralSource><PrimaryNeedCode>N4</PrimaryNeedCode><CINclosureDate>2025-10-10</CINclosureDate><ReasonForClosure>RC8</ReasonForClosure><ReferralNFA>false</ReferralNFA>
<Assessments><AssessmentActualStartDate>2025-09-02</AssessmentActualStartDate><AssessmentAuthorisationDate>2025-10-09</AssessmentAuthorisationDate><FactorsIdentifiedAtAssessment><AssessmentFactors>21</AssessmentFactors></FactorsIdentifiedAtAssessment></Assessments>
</CINdetails></Child></Children></Message>`;
    const started = await upload(browser, { checkKind: 'validate_cin', checkYear: '2026' }, [
      { field: 'files', name: 'census.xml', content: xml },
    ]);
    expect(started.statusCode).toBe(303);
    const runId = runIdFrom(started.headers.location);
    const run = await finished(runId);
    expect(run.status).toBe('done');
    expect(run.errors).toBeGreaterThan(0);
    const page = await browser.get(`/returns/runs/${runId}`);
    expect(page.body).toContain('Problems found');
    expect(page.body).toContain('4220');
    expect(page.body).toContain(`href="/children/${childId}"`);
    const csv = await browser.get(`/returns/runs/${runId}/download`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain('4220');
  });

  it('says what is wrong when the upload is not a CIN census, and keeps no file', async () => {
    const browser = await signedInAs(app, deps, analyst.id);
    const started = await upload(browser, { checkKind: 'validate_cin', checkYear: '2026' }, [
      { field: 'files', name: 'photo.xml', content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]) },
    ]);
    const runId = runIdFrom(started.headers.location);
    const run = await finished(runId);
    expect(run.status).toBe('failed');
    const page = await browser.get(`/returns/runs/${runId}`);
    expect(page.body).toContain('PNG');
  });

  it('re-renders the form with an error summary for missing choices, keeping what was chosen', async () => {
    const browser = await signedInAs(app, deps, analyst.id);
    const noKind = await browser.post('/returns/produce', { year: '2026' }, { tokenFrom: '/returns' });
    expect(noKind.statusCode).toBe(400);
    expect(noKind.body).toContain('There is a problem');
    expect(noKind.body).toContain('Choose which return to make');
    expect(noKind.body).toMatch(/<option value="2026" selected/);
    const noFiles = await upload(browser, { checkKind: 'validate_ssda903', checkYear: '2026' }, []);
    expect(noFiles.statusCode).toBe(400);
    expect(noFiles.body).toContain('Choose the files to check');
    expect(noFiles.body).toMatch(/value="validate_ssda903" checked/);
  });

  it('keeps runs to their council and refuses people who may not make returns', async () => {
    const browser = await signedInAs(app, deps, analyst.id);
    const started = await browser.post('/returns/produce', { kind: 'produce_cin', year: '2025' }, { tokenFrom: '/returns' });
    const runId = runIdFrom(started.headers.location);
    await finished(runId);
    const elsewhere = await signedInAs(app, deps, otherAnalyst.id);
    expectGovukErrorPage(await elsewhere.get(`/returns/runs/${runId}`), 404);
    expectGovukErrorPage(await elsewhere.get(`/returns/runs/${runId}/download`), 404);
    const practitionerBrowser = await signedInAs(app, deps, practitioner.id);
    expectGovukErrorPage(await practitionerBrowser.get(`/returns/runs/${runId}`), 404);
    const refused = await practitionerBrowser.post(
      '/returns/produce',
      { kind: 'produce_cin', year: '2026' },
      { tokenFrom: '/' },
    );
    expectGovukErrorPage(refused, 404);
  });
});
