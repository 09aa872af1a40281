import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { buildApp } from '../../src/web/app.ts';
import { openTestDb } from '../support/db.ts';
import { count } from '../support/app-helpers.ts';
import { makeFamily } from '../support/portal-family.ts';
import { Browser, testApp } from '../support/web.ts';
import { makeWorld, testClock, testConfig, testDeps, type TestClock } from '../support/world.ts';

let handle: DbHandle;
let app: FastifyInstance;
let deps: Deps;
let clock: TestClock;
let outbox: string;
let dataDir: string;
let world: Awaited<ReturnType<typeof makeWorld>>;

beforeAll(async () => {
  handle = await openTestDb();
  dataDir = await mkdtemp(join(tmpdir(), 'hearth-portal-'));
  outbox = join(dataDir, 'outbox');
  clock = testClock(new Date('2026-11-25T10:00:00Z'));
  deps = testDeps(handle, {
    clock,
    config: testConfig({ NOTIFY_SENDER: 'outbox', HEARTH_DATA_DIR: dataDir }),
  });
  world = await makeWorld(deps);
  app = await testApp(deps);
});
afterAll(async () => {
  await app.close();
  await handle.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** The texts of every message in the outbox to this address. */
async function outboxFor(to: string): Promise<string[]> {
  let files: string[];
  try {
    files = (await readdir(outbox)).sort();
  } catch {
    return [];
  }
  const texts = await Promise.all(files.map((f) => readFile(join(outbox, f), 'utf8')));
  return texts.filter((t) => t.startsWith(`To: ${to}\n`));
}

/** Waits for the n-th message to this address and returns its code. */
async function codeFor(to: string, n: number): Promise<string> {
  for (let i = 0; i < 500; i += 1) {
    const texts = await outboxFor(to);
    const code = texts[n - 1] ? /family portal is (\d{6})|^(\d{6}) is your/m.exec(texts[n - 1] ?? '') : null;
    const found = code?.[1] ?? code?.[2];
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no code arrived');
}

async function askForCode(browser: Browser, contact: string) {
  return browser.post('/family/sign-in', { contact }, { tokenFrom: '/family/sign-in' });
}

async function enterCode(browser: Browser, code: string) {
  // The token comes from the first page: the code page itself sends an expired sign-in back there.
  return browser.post('/family/sign-in/code', { code }, { tokenFrom: '/family/sign-in' });
}

describe('signing in to the portal with a one-time code', () => {
  it('sends a code to an invited parent; the first sign-in makes the account active', async () => {
    const family = await makeFamily(deps, world, { teamId: world.teamA, status: 'invited' });
    const browser = new Browser(app);
    const asked = await askForCode(browser, `  ${family.email.toUpperCase()} `);
    expect(asked.statusCode).toBe(303);
    expect(asked.headers.location).toBe('/family/sign-in/code');
    const page = await browser.get('/family/sign-in/code');
    expect(page.body).toContain('If we have an account for you, we have sent you a 6-digit code');
    const code = await codeFor(family.email, 1);
    const stored = await deps.db.selectFrom('family_sign_in_codes').select('code_hash').execute();
    expect(stored.map((r) => r.code_hash).join()).not.toContain(code);

    const signedIn = await enterCode(browser, code);
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers.location).toBe('/family');
    expect(browser.cookies.get('hearth-family')).toBeTruthy();
    const home = await browser.get('/family');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain(`Hello, Alex ${family.familyName}`);
    expect(home.body).toContain(`Robin ${family.familyName}`);
    const account = await deps.db
      .selectFrom('family_accounts')
      .select(['status', 'first_signed_in_at'])
      .where('id', '=', family.accountId)
      .executeTakeFirstOrThrow();
    expect(account.status).toBe('active');
    expect(account.first_signed_in_at).toEqual(clock.now());
    expect(
      await count(handle, 'audit_log', { action: 'portal.first_signed_in', entity_id: family.accountId }),
    ).toBe(1);

    // A code works once.
    const again = new Browser(app);
    await askForCode(again, 'someone.else@example.com');
    expect((await enterCode(again, code)).statusCode).toBe(400);
  });

  it('says the same whether or not an account exists, and sends nothing to an unknown address', async () => {
    const family = await makeFamily(deps, world, { teamId: world.teamA });
    const known = new Browser(app);
    const unknown = new Browser(app);
    const a = await askForCode(known, family.email);
    const b = await askForCode(unknown, 'nobody.here@example.com');
    expect(a.statusCode).toBe(b.statusCode);
    expect(a.headers.location).toBe(b.headers.location);
    const pageA = await known.get('/family/sign-in/code');
    const pageB = await unknown.get('/family/sign-in/code');
    const strip = (html: string) => html.replace(/name="_csrf" value="[0-9a-f]+"/g, '');
    expect(strip(pageA.body)).toBe(strip(pageB.body));
    await codeFor(family.email, 1);
    expect(await outboxFor('nobody.here@example.com')).toEqual([]);
    // Wrong codes read the same for both, and both stop after five tries.
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const ra = await enterCode(known, '000000');
      const rb = await enterCode(unknown, '000000');
      expect(ra.statusCode).toBe(400);
      expect(strip(ra.body)).toBe(strip(rb.body));
      const expected = attempt < 5 ? 'The code is not right' : 'Your code has stopped working';
      expect(ra.body, `attempt ${String(attempt)}`).toContain(expected);
    }
  });

  it('stops a code after five wrong tries, even with the right code next', async () => {
    const family = await makeFamily(deps, world, { teamId: world.teamA });
    const browser = new Browser(app);
    await askForCode(browser, family.email);
    const code = await codeFor(family.email, 1);
    const wrong = code === '111111' ? '222222' : '111111';
    for (let i = 0; i < 4; i += 1)
      expect((await enterCode(browser, wrong)).body).toContain('The code is not right');
    // Starting again in another browser does not reset the count kept with the code.
    const other = new Browser(app);
    other.cookies.set('hearth-family-code', browser.cookies.get('hearth-family-code') ?? '');
    expect((await enterCode(other, wrong)).body).toContain('Your code has stopped working');
    const last = await enterCode(browser, code);
    expect(last.statusCode).toBe(400);
    expect(last.body).toContain('Your code has stopped working');
    expect(browser.cookies.has('hearth-family')).toBe(false);
  });

  it('stops a code after 10 minutes, and only the newest code works', async () => {
    const family = await makeFamily(deps, world, { teamId: world.teamA });
    const browser = new Browser(app);
    await askForCode(browser, family.email);
    const first = await codeFor(family.email, 1);
    clock.advance(11 * 60_000);
    const late = await enterCode(browser, first);
    // The pending cookie has a 10-minute life too: the page starts again.
    expect([303, 400]).toContain(late.statusCode);
    expect(browser.cookies.has('hearth-family')).toBe(false);

    const fresh = new Browser(app);
    await askForCode(fresh, family.email);
    const second = await codeFor(family.email, 2);
    await askForCode(fresh, family.email);
    const third = await codeFor(family.email, 3);
    if (second !== third) {
      const older = await enterCode(fresh, second);
      expect(older.statusCode).toBe(400);
    }
    expect((await enterCode(fresh, third)).headers.location).toBe('/family');
  });

  it('sends at most five codes in 15 minutes to one account', async () => {
    const family = await makeFamily(deps, world, { teamId: world.teamA });
    for (let i = 0; i < 7; i += 1) await askForCode(new Browser(app), family.email);
    await codeFor(family.email, 5);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await outboxFor(family.email)).toHaveLength(5);
    expect(
      await count(handle, 'audit_log', { action: 'portal.code_throttled', entity_id: family.accountId }),
    ).toBe(2);
  });

  it('sends nothing to a withdrawn account, and a withdrawn account’s session stops working', async () => {
    const family = await makeFamily(deps, world, { teamId: world.teamA });
    const browser = new Browser(app);
    await askForCode(browser, family.email);
    await enterCode(browser, await codeFor(family.email, 1));
    expect((await browser.get('/family')).statusCode).toBe(200);
    await deps.db
      .updateTable('family_accounts')
      .set({ status: 'withdrawn', withdrawn_reason: 'Test' })
      .where('id', '=', family.accountId)
      .execute();
    expect((await browser.get('/family')).headers.location).toBe('/family/sign-in');
    await askForCode(new Browser(app), family.email);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await outboxFor(family.email)).toHaveLength(1);
  });

  it('asks again for something that is not an email address or mobile number', async () => {
    const browser = new Browser(app);
    const response = await askForCode(browser, 'not an address');
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('There is a problem');
    expect(response.body).toContain('href="#contact"');
    expect(response.body).toContain('value="not an address"');
  });

  it('sends a text message code to a mobile number in any common form', async () => {
    const family = await makeFamily(deps, world, { teamId: world.teamA });
    await deps.db
      .updateTable('family_accounts')
      .set({ mobile: '+447700900123' })
      .where('id', '=', family.accountId)
      .execute();
    const browser = new Browser(app);
    await askForCode(browser, '07700 900 123');
    const code = await codeFor('+447700900123', 1);
    expect((await enterCode(browser, code)).headers.location).toBe('/family');
  });

  it('never writes an address, number or code to the log', async () => {
    const lines: string[] = [];
    const talkative = {
      ...deps,
      config: testConfig({ NOTIFY_SENDER: 'outbox', HEARTH_DATA_DIR: dataDir, LOG_LEVEL: 'trace' }),
    };
    const logged = await buildApp({
      deps: talkative,
      handle: { kind: 'pglite' },
      logStream: { write: (line: string) => lines.push(line) },
    });
    const family = await makeFamily(deps, world, { teamId: world.teamA });
    const browser = new Browser(logged);
    await browser.post('/family/sign-in', { contact: family.email }, { tokenFrom: '/family/sign-in' });
    const code = await codeFor(family.email, 1);
    await browser.post('/family/sign-in/code', { code: '999999' }, { tokenFrom: '/family/sign-in/code' });
    await browser.post('/family/sign-in/code', { code }, { tokenFrom: '/family/sign-in/code' });
    await logged.close();
    const log = lines.join('');
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toContain(family.email);
    expect(log).not.toContain(code);
    expect(log).not.toContain(family.familyName);
  });
});
