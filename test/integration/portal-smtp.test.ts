import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { signedInAs } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { makeFamily } from '../support/portal-family.ts';
import { codeIn, startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { Browser, testApp } from '../support/web.ts';
import { makeWorld, testClock, testConfig, testDeps } from '../support/world.ts';

let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let sink: SmtpSink;
let world: Awaited<ReturnType<typeof makeWorld>>;

beforeAll(async () => {
  handle = await openTestDb();
  sink = await startSmtpSink();
  deps = testDeps(handle, {
    clock: testClock(new Date('2026-11-25T10:00:00Z')),
    config: testConfig({
      NOTIFY_SENDER: 'smtp',
      SMTP_URL: sink.url,
      SMTP_FROM: 'Hearth <portal@council.example>',
    }),
  });
  world = await makeWorld(deps);
  app = await testApp(deps);
});
afterAll(async () => {
  await app.close();
  await sink.close();
  await handle.close();
});

describe('codes by email through SMTP', () => {
  it('a code sent through the SMTP sender arrives and signs the parent in', async () => {
    const family = await makeFamily(deps, world, { teamId: world.teamA, status: 'invited' });
    const browser = new Browser(app);
    const asked = await browser.post(
      '/family/sign-in',
      { contact: family.email },
      { tokenFrom: '/family/sign-in' },
    );
    expect(asked.headers.location).toBe('/family/sign-in/code');
    const message = await sink.waitFor(family.email);
    expect(message.raw).toMatch(/^From: Hearth <portal@council\.example>/m);
    expect(message.raw).toMatch(/^Subject: Your sign-in code/m);
    // Nothing about the family in the message: the code and what to do with it.
    expect(message.raw).not.toContain(family.familyName);
    const signedIn = await browser.post(
      '/family/sign-in/code',
      { code: codeIn(message) },
      { tokenFrom: '/family/sign-in/code' },
    );
    expect(signedIn.headers.location).toBe('/family');
    const home = await browser.get('/family');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain(`Robin ${family.familyName}`);
  });

  it('journey: a worker invites a parent, who signs in with the emailed code and sees the worker’s view', async () => {
    const worker = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const family = await makeFamily(deps, world, {
      teamId: world.teamA,
      workerId: worker.id,
      invited: false,
    });
    const staff = await signedInAs(app, deps, worker.id);
    const page = `/children/${family.childId}/family-portal`;
    const before = sink.messages.length;
    const invited = await staff.post(
      `${page}/invite`,
      { who: family.parentId, email: 'journey.parent@example.com', mobile: '' },
      { tokenFrom: page },
    );
    expect(invited.statusCode).toBe(303);
    const invitation = await sink.waitFor('journey.parent@example.com', { after: before });
    expect(invitation.raw).toMatch(/^Subject: You are invited to the family portal/m);
    expect(invitation.raw).toContain('/family/sign-in');
    // The worker reads the child's record before the parent signs in.
    expect((await staff.get(`/children/${family.childId}`)).statusCode).toBe(200);

    const parent = new Browser(app);
    const afterInvitation = sink.messages.length;
    await parent.post(
      '/family/sign-in',
      { contact: 'journey.parent@example.com' },
      { tokenFrom: '/family/sign-in' },
    );
    const message = await sink.waitFor('journey.parent@example.com', { after: afterInvitation });
    const signedIn = await parent.post(
      '/family/sign-in/code',
      { code: codeIn(message) },
      { tokenFrom: '/family/sign-in/code' },
    );
    expect(signedIn.headers.location).toBe('/family');
    const home = await parent.get('/family');
    expect(home.body).toContain(`Robin ${family.familyName}`);
    const link = `/family/children/${family.childId}/who-has-looked`;
    expect(home.body).toContain(`href="${link}"`);
    const seen = await parent.get(link);
    expect(seen.statusCode).toBe(200);
    expect(seen.body).toContain('Practitioner');
    expect(seen.body).toContain('Team A');
    // The staff page now shows the parent has signed in.
    expect((await staff.get(page)).body).toContain('Signed in first on');
  });

  it('offers email only when the sender cannot send text messages', async () => {
    const page = await new Browser(app).get('/family/sign-in');
    expect(page.body).toContain('Email address');
    expect(page.body).not.toContain('mobile number');
    const browser = new Browser(app);
    const refused = await browser.post(
      '/family/sign-in',
      { contact: '07700 900 123' },
      { tokenFrom: '/family/sign-in' },
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Enter your email address');
  });
});
