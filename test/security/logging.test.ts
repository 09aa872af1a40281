import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { totpCode } from '../../src/platform/auth/totp.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { buildApp } from '../../src/web/app.ts';
import { openTestDb } from '../support/db.ts';
import { Browser, csrfFrom } from '../support/web.ts';
import { makeWorld, testClock, testConfig, testDeps, type TestClock } from '../support/world.ts';

let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makeWorld>>;
const lines: string[] = [];

beforeAll(async () => {
  handle = await openTestDb();
  clock = testClock(new Date('2026-11-25T10:00:00Z'));
  // The app's own logger configuration, at its most talkative, written to memory.
  deps = testDeps(handle, { clock, config: testConfig({ LOG_LEVEL: 'trace' }) });
  world = await makeWorld(deps);
  app = await buildApp({
    deps,
    handle: { kind: 'pglite' },
    logStream: { write: (line: string) => void lines.push(line) },
    extraRoutes: (instance) => {
      instance.get('/test-only/fails', { config: { access: 'public' } }, async () => {
        throw new Error('a failure with no personal data in it');
      });
    },
  });
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

describe('logs', () => {
  it('carry no password, code, email address, cookie, token or child’s name through a whole journey', async () => {
    const user = await world.user({ roles: ['practitioner', 'administrator'], teamIds: [world.teamA] });
    const child = await world.child({ teamId: world.teamA, given: 'Philippa', family: 'Quartermaine' });
    const hidden = await world.child({ teamId: world.teamB, given: 'Octavian', family: 'Brightwater' });
    const secrets = new Set<string>([
      user.password,
      user.email,
      user.totpSecret,
      'Philippa',
      'Quartermaine',
      'Octavian',
      'Brightwater',
    ]);
    const remember = (browser: Browser) => {
      for (const value of browser.cookies.values()) secrets.add(value);
    };

    // A failed sign-in, with a real address and a wrong password.
    const failing = new Browser(app);
    const wrongPassword = 'Wrong-Password-Pumpernickel';
    secrets.add(wrongPassword);
    const failed = await failing.post('/sign-in', { email: user.email, password: wrongPassword });
    expect(failed.statusCode).toBe(400);
    const unknownEmail = 'nobody.at.all@example.gov.uk';
    secrets.add(unknownEmail);
    await failing.post('/sign-in', { email: unknownEmail, password: wrongPassword });
    remember(failing);

    // A real sign-in: password, then a TOTP code (the pre-session cookie and both session cookies are remembered).
    const browser = new Browser(app);
    const signInPage = await browser.get('/sign-in');
    secrets.add(csrfFrom(signInPage.body));
    remember(browser);
    await browser.post('/sign-in', { email: user.email, password: user.password });
    remember(browser);
    // Six digits could turn up inside a timestamp, so the code is looked for as a value, below.
    const code = totpCode(user.totpSecret, clock.now());
    const second = await browser.post(
      '/sign-in/second-factor',
      { code },
      { tokenFrom: '/sign-in/second-factor' },
    );
    expect(second.headers.location).toBe('/');
    remember(browser);

    // Looking at children, with a name in the query string too.
    expect((await browser.get('/children')).body).toContain('Philippa Quartermaine');
    expect((await browser.get(`/children/${child}`)).statusCode).toBe(200);
    expect(
      (await browser.get(`/children?name=Philippa+Quartermaine&email=${encodeURIComponent(user.email)}`))
        .statusCode,
    ).toBe(200);
    expect((await browser.get(`/children/${hidden}`)).statusCode).toBe(404);

    // Forms with bad input: a new member of staff and a break-glass reason naming a child.
    const newEmail = 'forename.surname@example.gov.uk';
    const newPassword = 'short';
    secrets.add(newEmail);
    secrets.add('Tobias');
    secrets.add('Featherstonehaugh');
    const bad = await browser.post(
      '/admin/users',
      { email: newEmail, displayName: 'Tobias Featherstonehaugh', password: newPassword },
      { tokenFrom: '/admin/users/new' },
    );
    expect(bad.statusCode).toBe(400);
    const token = csrfFrom((await browser.get('/')).body);
    secrets.add(token);
    const reason = await browser.post(
      `/children/${hidden}/break-glass`,
      { reasonCode: 'other', reason: 'Octavian' },
      { csrf: token },
    );
    expect(reason.statusCode).toBe(400);
    const forged = await browser.post(
      '/admin/users',
      { email: newEmail, password: 'Forged-Password-Marmalade' },
      { csrf: null },
    );
    secrets.add('Forged-Password-Marmalade');
    expect(forged.statusCode).toBe(403);
    expect((await browser.get('/test-only/fails')).statusCode).toBe(500);
    await browser.post('/sign-out', {}, { tokenFrom: '/' });

    const log = lines.join('');
    // The journey was logged: requests, their outcomes, the failure.
    expect(lines.length).toBeGreaterThan(20);
    expect(log).toContain('incoming request');
    expect(log).toContain('request completed');
    expect(log).toContain(`/children/${child}`);
    expect(log).toContain('a failure with no personal data in it');
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(3);
      expect(log.includes(secret), `the log contains ${JSON.stringify(secret)}`).toBe(false);
    }
    expect(log).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/);
    expect(log).not.toMatch(/hearth-(session|pre)=/);
    expect(log.toLowerCase()).not.toContain('set-cookie');
    expect(log).not.toMatch(new RegExp(`["=:]${code}\\b`));
  });
});
