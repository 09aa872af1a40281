import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { totpCode } from '../../src/platform/auth/totp.ts';
import { openTestDb } from '../support/db.ts';
import { Browser, testApp } from '../support/web.ts';
import { makeWorld, testClock, testConfig, testDeps, type TestClock } from '../support/world.ts';

let handle: DbHandle;
let app: FastifyInstance;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makeWorld>>;

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(new Date('2026-11-25T10:00:00Z'));
  const deps = testDeps(handle, { clock, config: testConfig({ HEARTH_LOGIN_MAX_FAILURES: '3' }) });
  world = await makeWorld(deps);
  app = await testApp(deps);
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

describe('signing in', () => {
  it('needs a password and then a TOTP code, and rotates the session id', async () => {
    const user = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    const browser = new Browser(app);
    const first = await browser.post('/sign-in', { email: user.email, password: user.password });
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/sign-in/second-factor');
    const halfSession = browser.cookies.get('hearth-session');
    expect(halfSession).toBeTruthy();

    const home = await browser.get('/');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe('/sign-in/second-factor');

    const second = await browser.post('/sign-in/second-factor', { code: totpCode(user.totpSecret, clock.now()) }, { tokenFrom: '/sign-in/second-factor' });
    expect(second.statusCode).toBe(303);
    expect(second.headers.location).toBe('/');
    const fullSession = browser.cookies.get('hearth-session');
    expect(fullSession).toBeTruthy();
    expect(fullSession).not.toBe(halfSession);

    const page = await browser.get('/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Hello, Staff Member');

    const stale = new Browser(app);
    stale.cookies.set('hearth-session', halfSession ?? '');
    expect((await stale.get('/')).headers.location).toBe('/sign-in');
  });

  it('refuses a TOTP code that has already been used', async () => {
    const user = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    clock.advance(60_000);
    const code = totpCode(user.totpSecret, clock.now());
    const a = new Browser(app);
    await a.post('/sign-in', { email: user.email, password: user.password });
    expect((await a.post('/sign-in/second-factor', { code }, { tokenFrom: '/sign-in/second-factor' })).statusCode).toBe(303);
    const b = new Browser(app);
    await b.post('/sign-in', { email: user.email, password: user.password });
    const replay = await b.post('/sign-in/second-factor', { code }, { tokenFrom: '/sign-in/second-factor' });
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('already been used');
  });

  it('answers an unknown email exactly as a wrong password', async () => {
    const user = await world.user({ roles: ['practitioner'] });
    const wrong = await new Browser(app).post('/sign-in', { email: user.email, password: 'not the password at all' });
    const unknown = await new Browser(app).post('/sign-in', { email: 'nobody@example.gov.uk', password: 'not the password at all' });
    expect(wrong.statusCode).toBe(400);
    expect(unknown.statusCode).toBe(wrong.statusCode);
    const message = (body: string) => /govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(body)?.[1]?.replace(/\s+/g, ' ');
    expect(message(unknown.body)).toBe(message(wrong.body));
    expect(message(wrong.body)).toContain('Enter a correct email address and password');
  });

  it('throttles repeated failures for one email, known or not, even with the right password', async () => {
    const user = await world.user({ roles: ['practitioner'] });
    for (const email of [user.email, 'ghost@example.gov.uk']) {
      for (let i = 0; i < 3; i += 1) await new Browser(app).post('/sign-in', { email, password: 'wrong password here' });
    }
    const blocked = await new Browser(app).post('/sign-in', { email: user.email, password: user.password });
    const ghost = await new Browser(app).post('/sign-in', { email: 'ghost@example.gov.uk', password: 'wrong password here' });
    expect(blocked.statusCode).toBe(400);
    expect(blocked.body).toContain('too many times');
    expect(ghost.body).toContain('too many times');
    clock.advance(16 * 60_000);
    const later = await new Browser(app).post('/sign-in', { email: user.email, password: user.password });
    expect(later.statusCode).toBe(303);
  });

  it('enrols a new user with a QR code, then signs them in', async () => {
    const user = await world.user({ roles: ['practitioner'], enrolled: false });
    const browser = new Browser(app);
    await browser.post('/sign-in', { email: user.email, password: user.password });
    const page = await browser.get('/sign-in/second-factor');
    expect(page.body).toContain('Set up your authenticator app');
    expect(page.body).toContain('<svg');
    const secret = /data-qa="totp-secret">([A-Z2-7 ]+)</.exec(page.body)?.[1]?.replace(/ /g, '');
    expect(secret).toBeTruthy();
    clock.advance(30_000);
    const done = await browser.post('/sign-in/second-factor', { code: totpCode(secret ?? '', clock.now()) }, { tokenFrom: '/sign-in/second-factor' });
    expect(done.headers.location).toBe('/');
    expect((await browser.get('/')).statusCode).toBe(200);
  });

  it('keeps the email typed when the form has errors', async () => {
    const response = await new Browser(app).post('/sign-in', { email: 'typed@example.gov.uk', password: '' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('value="typed@example.gov.uk"');
    expect(response.body).toContain('href="#password"');
    expect(response.body).toContain('Enter your password');
  });

  it('ends the session at sign-out, so the old cookie no longer works', async () => {
    const user = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    clock.advance(30_000);
    const browser = new Browser(app);
    await browser.signIn(user, clock);
    const cookie = browser.cookies.get('hearth-session') ?? '';
    const out = await browser.post('/sign-out', {}, { tokenFrom: '/' });
    expect(out.headers.location).toBe('/signed-out');
    const replay = new Browser(app);
    replay.cookies.set('hearth-session', cookie);
    const response = await replay.get('/');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/sign-in');
  });

  it('ends sessions after the idle limit', async () => {
    const user = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    clock.advance(30_000);
    const browser = new Browser(app);
    await browser.signIn(user, clock);
    expect((await browser.get('/')).statusCode).toBe(200);
    clock.advance(31 * 60_000);
    expect((await browser.get('/')).headers.location).toBe('/sign-in');
  });
});
