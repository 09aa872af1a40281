import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { completeFamilyOidcSignIn } from '../../src/modules/portal/oidc-sign-in.ts';
import { loadConfig } from '../../src/platform/config.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { count } from '../support/app-helpers.ts';
import { openTestDb } from '../support/db.ts';
import { readability, visibleText } from '../support/readability.ts';
import { startTestProvider, type TestProvider } from '../support/oidc-provider.ts';
import { makeFamily } from '../support/portal-family.ts';
import { Browser, testApp } from '../support/web.ts';
import { makeWorld, testClock, testConfig, testDeps, type TestClock } from '../support/world.ts';

/**
 * Families signing in with GOV.UK One Login or a council's provider, against a real oidc-provider on
 * 127.0.0.1 (test/support/oidc-provider.ts). Staff OIDC is configured too, with its own client, to show
 * the two flows never cross: a family sign-in never makes or reads a staff session, nor the reverse.
 */
const PORTAL_CALLBACK = 'http://hearth.test/family/sign-in/oidc/callback';
const PORTAL_CLIENT = {
  clientId: 'hearth-family-client',
  clientSecret: 'hearth-family-secret-0123456789abcdef',
};
const STAFF_CALLBACK = 'http://hearth.test/sign-in/oidc/callback';
const STAFF_CLIENT = {
  clientId: 'hearth-staff-client',
  clientSecret: 'hearth-staff-secret-0123456789abcdefgh',
};

/**
 * A client that authenticates with a signed JWT (private_key_jwt), as GOV.UK One Login requires: the
 * provider holds only the public halves of an EC and an RSA key made here.
 */
const FAMILY_EC_KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const FAMILY_RSA_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 });
function publicJwk(key: KeyObject, kid: string): JsonWebKey {
  return { ...key.export({ format: 'jwk' }), kid, use: 'sig' } as JsonWebKey;
}
const KEY_CLIENT = {
  clientId: 'hearth-family-key-client',
  redirectUri: PORTAL_CALLBACK,
  publicKeys: [
    publicJwk(FAMILY_EC_KEY.publicKey, 'family-ec'),
    publicJwk(FAMILY_RSA_KEY.publicKey, 'family-rsa'),
  ],
};
function pem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

let provider: TestProvider;
let handle: DbHandle;
let deps: Deps;
let app: FastifyInstance;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makeWorld>>;

function portalSettings(issuer: string): Record<string, string> {
  return {
    HEARTH_PORTAL_OIDC_ISSUER: issuer,
    HEARTH_PORTAL_OIDC_CLIENT_ID: PORTAL_CLIENT.clientId,
    HEARTH_PORTAL_OIDC_CLIENT_SECRET: PORTAL_CLIENT.clientSecret,
    HEARTH_PORTAL_OIDC_REDIRECT_URL: PORTAL_CALLBACK,
  };
}

beforeAll(async () => {
  provider = await startTestProvider([
    { ...PORTAL_CLIENT, redirectUri: PORTAL_CALLBACK },
    { ...STAFF_CLIENT, redirectUri: STAFF_CALLBACK },
    KEY_CLIENT,
  ]);
  handle = await openTestDb();
  clock = testClock(new Date());
  deps = testDeps(handle, {
    clock,
    config: testConfig({
      ...portalSettings(provider.issuer),
      HEARTH_OIDC_ISSUER: provider.issuer,
      HEARTH_OIDC_CLIENT_ID: STAFF_CLIENT.clientId,
      HEARTH_OIDC_CLIENT_SECRET: STAFF_CLIENT.clientSecret,
      HEARTH_OIDC_REDIRECT_URL: STAFF_CALLBACK,
    }),
  });
  world = await makeWorld(deps);
  app = await testApp(deps);
});
afterAll(async () => {
  await app.close();
  await handle.close();
  await provider.close();
});

/** Starts at the portal, signs in at the provider, and returns the portal's answer at its callback. */
async function familySignIn(browser: Browser, login: string): Promise<LightMyRequestResponse> {
  const start = await browser.get('/family/sign-in/oidc');
  expect(start.statusCode).toBe(303);
  const location = String(start.headers.location);
  expect(location.startsWith(`${provider.issuer}/`)).toBe(true);
  const callback = await provider.signIn(location, login, PORTAL_CALLBACK);
  return browser.get(`${callback.pathname}${callback.search}`);
}

function heading(body: string): string | undefined {
  return /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(body)?.[1]?.trim();
}

async function account(id: string) {
  return deps.db
    .selectFrom('family_accounts')
    .select(['status', 'oidc_subject', 'first_signed_in_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

async function sessionCounts(): Promise<{ family: number; staff: number }> {
  return { family: await count(handle, 'family_sessions'), staff: await count(handle, 'sessions') };
}

describe('families signing in with GOV.UK One Login or the council provider', () => {
  it('offers the configured sign-in beside the code, and sends the browser to the provider with PKCE, state and nonce', async () => {
    const page = await new Browser(app).get('/family/sign-in');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('href="/family/sign-in/oidc"');
    expect(page.body).toContain('Sign in with GOV.UK One Login');
    expect(page.body).toContain('Send me a code');
    const score = readability(visibleText(page.body));
    expect(score.fleschReadingEase, JSON.stringify(score)).toBeGreaterThanOrEqual(70);
    expect(score.longestSentenceWords).toBeLessThanOrEqual(25);

    const start = await app.inject({ method: 'GET', url: '/family/sign-in/oidc' });
    expect(start.statusCode).toBe(303);
    const target = new URL(String(start.headers.location));
    expect(target.origin).toBe(provider.issuer);
    expect(target.searchParams.get('client_id')).toBe(PORTAL_CLIENT.clientId);
    expect(target.searchParams.get('redirect_uri')).toBe(PORTAL_CALLBACK);
    expect(target.searchParams.get('scope')).toBe('openid email');
    expect(target.searchParams.get('code_challenge_method')).toBe('S256');
    expect(target.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(target.searchParams.get('state')).toBeTruthy();
    expect(target.searchParams.get('nonce')).toBeTruthy();
    // No vector of trust unless HEARTH_PORTAL_OIDC_VTR asks for one.
    expect(target.searchParams.has('vtr')).toBe(false);
    // The portal's own flow cookie, never the staff one.
    const cookie = start.cookies.find((c) => c.name === 'hearth-family-oidc');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    expect(cookie?.maxAge).toBe(600);
    expect(cookie?.value).not.toContain(target.searchParams.get('state'));
    expect(start.cookies.some((c) => c.name === 'hearth-oidc' || c.name === 'hearth-session')).toBe(false);
  });

  it('signs an invited parent in by verified email (any case), links the subject with an audit entry, and makes no staff session', async () => {
    const family = await makeFamily(deps, world, {
      teamId: world.teamA,
      status: 'invited',
      parentGiven: 'Jordan',
    });
    provider.accounts.set('jordan', { email: family.email.toUpperCase(), email_verified: true });
    const before = await sessionCounts();
    const browser = new Browser(app);

    const callback = await familySignIn(browser, 'jordan');
    expect(callback.statusCode).toBe(303);
    expect(callback.headers.location).toBe('/family');
    expect(browser.cookies.get('hearth-family')).toBeTruthy();
    expect(browser.cookies.has('hearth-family-oidc')).toBe(false);
    expect(browser.cookies.has('hearth-session')).toBe(false);
    expect(await sessionCounts()).toEqual({ family: before.family + 1, staff: before.staff });

    const home = await browser.get('/family');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain(`Hello, Jordan ${family.familyName}`);
    // A family session is no staff session.
    expect((await browser.get('/')).headers.location).toBe('/sign-in');

    const row = await account(family.accountId);
    expect(row.status).toBe('active');
    expect(row.oidc_subject).toBe(`${provider.issuer}|jordan`);
    expect(row.first_signed_in_at).not.toBeNull();
    const audit = await deps.db
      .selectFrom('audit_log')
      .select(['action', 'actor_user_id', 'detail'])
      .where('entity_id', '=', family.accountId)
      .where('action', 'in', ['portal.oidc_linked', 'portal.first_signed_in'])
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['portal.oidc_linked', 'portal.first_signed_in']);
    expect(audit[1]?.detail).toEqual({ method: 'oidc', linked: true });
    expect(audit.every((a) => a.actor_user_id === null)).toBe(true);
    // Nothing personal in the audit detail.
    expect(JSON.stringify(audit)).not.toContain(family.email);
  });

  it('finds a linked account by its subject even when the provider now gives a different email', async () => {
    const family = await makeFamily(deps, world, { teamId: world.teamA, parentGiven: 'Kim' });
    provider.accounts.set('kim', { email: family.email, email_verified: true });
    expect((await familySignIn(new Browser(app), 'kim')).headers.location).toBe('/family');
    provider.accounts.set('kim', { email: 'kim.moved@elsewhere.example', email_verified: true });
    const browser = new Browser(app);
    const again = await familySignIn(browser, 'kim');
    expect(again.headers.location).toBe('/family');
    expect((await browser.get('/family')).body).toContain(`Hello, Kim ${family.familyName}`);
    const audit = await deps.db
      .selectFrom('audit_log')
      .select(['action', 'detail'])
      .where('entity_id', '=', family.accountId)
      .where('action', 'in', ['portal.signed_in', 'portal.oidc_linked'])
      .orderBy('seq')
      .execute();
    // Linked once, at the first sign-in; found by the subject after that.
    expect(audit).toEqual([
      { action: 'portal.oidc_linked', detail: {} },
      { action: 'portal.signed_in', detail: { method: 'oidc', linked: true } },
      { action: 'portal.signed_in', detail: { method: 'oidc', linked: false } },
    ]);
  });

  async function withdraw(accountId: string): Promise<void> {
    await deps.db
      .updateTable('family_accounts')
      .set({ status: 'withdrawn', withdrawn_at: clock.now(), withdrawn_reason: 'Withdrawn for the test' })
      .where('id', '=', accountId)
      .execute();
  }

  it('shows "we could not find an invitation" for an unknown email, an unverified one, and a withdrawn account, and creates nothing', async () => {
    const unverified = await makeFamily(deps, world, { teamId: world.teamA, status: 'invited' });
    provider.accounts.set('una', { email: unverified.email, email_verified: false });
    provider.accounts.set('nobody', { email: 'nobody.invited@example.com', email_verified: true });
    const withdrawnByEmail = await makeFamily(deps, world, { teamId: world.teamA });
    await withdraw(withdrawnByEmail.accountId);
    provider.accounts.set('wes', { email: withdrawnByEmail.email, email_verified: true });
    // Linked first, then withdrawn by the worker: the subject no longer signs in.
    const withdrawnLinked = await makeFamily(deps, world, { teamId: world.teamA });
    provider.accounts.set('wanda', { email: withdrawnLinked.email, email_verified: true });
    expect((await familySignIn(new Browser(app), 'wanda')).headers.location).toBe('/family');
    await withdraw(withdrawnLinked.accountId);

    const before = await sessionCounts();
    for (const login of ['nobody', 'una', 'wes', 'wanda']) {
      const browser = new Browser(app);
      const refused = await familySignIn(browser, login);
      expect(refused.statusCode, login).toBe(403);
      expect(heading(refused.body), login).toBe('We could not find an invitation for you');
      expect(refused.body).toContain('href="/family/sign-in"');
      expect(browser.cookies.has('hearth-family')).toBe(false);
      expect((await browser.get('/family')).headers.location).toBe('/family/sign-in');
    }
    expect(await sessionCounts()).toEqual(before);
    // The page a family sees reads as plainly as the rest of the portal (portal-readability.test.ts).
    const page = await familySignIn(new Browser(app), 'nobody');
    const score = readability(visibleText(page.body));
    expect(score.fleschReadingEase, JSON.stringify(score)).toBeGreaterThanOrEqual(70);
    expect(score.averageSentenceWords).toBeLessThanOrEqual(15);
    expect(score.longestSentenceWords).toBeLessThanOrEqual(25);
    expect((await account(unverified.accountId)).oidc_subject).toBeNull();
    expect((await account(unverified.accountId)).status).toBe('invited');
    expect((await account(withdrawnByEmail.accountId)).oidc_subject).toBeNull();
    expect(await count(handle, 'audit_log', { action: 'portal.sign_in_oidc_refused' })).toBe(5);
  });

  it('signs a parent in again when a worker invites them afresh after withdrawing their access: the subject moves to the new account', async () => {
    const family = await makeFamily(deps, world, { teamId: world.teamA, parentGiven: 'Remy' });
    provider.accounts.set('remy', { email: family.email, email_verified: true });
    expect((await familySignIn(new Browser(app), 'remy')).headers.location).toBe('/family');
    await withdraw(family.accountId);
    expect((await familySignIn(new Browser(app), 'remy')).statusCode).toBe(403);

    // A new invitation for the same parent and email, as the worker's invitation makes after a withdrawal.
    const again = await deps.db
      .insertInto('family_accounts')
      .values({
        organisation_id: world.organisationId,
        person_id: family.parentId,
        kind: 'parent',
        email: family.email,
        status: 'invited',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await deps.db
      .insertInto('family_account_children')
      .values({ account_id: again.id, child_id: family.childId })
      .execute();
    const browser = new Browser(app);
    expect((await familySignIn(browser, 'remy')).headers.location).toBe('/family');
    expect((await browser.get('/family')).body).toContain(`Hello, Remy ${family.familyName}`);
    expect((await account(again.id)).oidc_subject).toBe(`${provider.issuer}|remy`);
    expect((await account(family.accountId)).oidc_subject).toBeNull();
    expect((await account(family.accountId)).status).toBe('withdrawn');
    const linked = await deps.db
      .selectFrom('audit_log')
      .select('detail')
      .where('entity_id', '=', again.id)
      .where('action', '=', 'portal.oidc_linked')
      .executeTakeFirstOrThrow();
    expect(linked.detail).toEqual({ movedFrom: family.accountId });
  });

  it('refuses a tampered state, a missing or expired flow cookie, a replayed callback, and a staff flow cookie', async () => {
    const family = await makeFamily(deps, world, { teamId: world.teamA, parentGiven: 'Lee' });
    provider.accounts.set('lee', { email: family.email, email_verified: true });
    const before = await sessionCounts();

    const browser = new Browser(app);
    const begun = await browser.get('/family/sign-in/oidc');
    const flow = browser.cookies.get('hearth-family-oidc') ?? '';
    const returned = await provider.signIn(String(begun.headers.location), 'lee', PORTAL_CALLBACK);
    const forged = new URL(returned);
    forged.searchParams.set('state', `${returned.searchParams.get('state') ?? ''}x`);
    const tampered = await browser.get(`${forged.pathname}${forged.search}`);
    expect(tampered.statusCode).toBe(400);
    expect(heading(tampered.body)).toBe('Sorry, signing in did not work');
    expect(browser.cookies.has('hearth-family-oidc')).toBe(false);
    expect(await sessionCounts()).toEqual(before);

    // Without its flow cookie the callback does nothing.
    expect((await new Browser(app).get(`${returned.pathname}${returned.search}`)).statusCode).toBe(400);

    // A staff flow cookie, with a staff callback's state and code, cannot finish a family sign-in.
    const staff = new Browser(app);
    const staffStart = await staff.get('/sign-in/oidc');
    const staffFlow = staff.cookies.get('hearth-oidc') ?? '';
    expect(staffFlow).not.toBe('');
    const staffReturn = await provider.signIn(String(staffStart.headers.location), 'lee', STAFF_CALLBACK);
    const crossed = new Browser(app);
    crossed.cookies.set('hearth-family-oidc', staffFlow);
    expect((await crossed.get(`/family/sign-in/oidc/callback${staffReturn.search}`)).statusCode).toBe(400);
    // Nor does the portal's flow cookie finish a staff sign-in.
    const crossedStaff = new Browser(app);
    crossedStaff.cookies.set('hearth-oidc', flow);
    expect((await crossedStaff.get(`/sign-in/oidc/callback${returned.search}`)).statusCode).toBe(400);
    expect(await sessionCounts()).toEqual(before);

    // An expired flow cookie.
    const late = new Browser(app);
    const lateStart = await late.get('/family/sign-in/oidc');
    const lateReturn = await provider.signIn(String(lateStart.headers.location), 'lee', PORTAL_CALLBACK);
    clock.advance(11 * 60_000);
    expect((await late.get(`${lateReturn.pathname}${lateReturn.search}`)).statusCode).toBe(400);
    clock.advance(-11 * 60_000);
    expect(await sessionCounts()).toEqual(before);

    // The right cookie and state still work once; the same callback again does not (the code is spent).
    browser.cookies.set('hearth-family-oidc', flow);
    expect((await browser.get(`${returned.pathname}${returned.search}`)).headers.location).toBe('/family');
    const replay = new Browser(app);
    replay.cookies.set('hearth-family-oidc', flow);
    expect((await replay.get(`${returned.pathname}${returned.search}`)).statusCode).toBe(400);
    expect(replay.cookies.has('hearth-family')).toBe(false);
    expect(await sessionCounts()).toEqual({ family: before.family + 1, staff: before.staff });
  });

  it('is off when not configured, and its settings are checked together', async () => {
    const plain = await testApp({ ...deps, config: testConfig() });
    try {
      expect((await plain.inject({ method: 'GET', url: '/family/sign-in/oidc' })).statusCode).toBe(404);
      expect(
        (await plain.inject({ method: 'GET', url: '/family/sign-in/oidc/callback?code=x&state=y' }))
          .statusCode,
      ).toBe(404);
      expect((await plain.inject({ method: 'GET', url: '/family/sign-in' })).body).not.toContain(
        '/family/sign-in/oidc',
      );
    } finally {
      await plain.close();
    }
    expect(() =>
      loadConfig({ NODE_ENV: 'test', HEARTH_PORTAL_OIDC_ISSUER: 'https://oidc.integration.account.gov.uk/' }),
    ).toThrow(
      /HEARTH_PORTAL_OIDC_ISSUER, HEARTH_PORTAL_OIDC_CLIENT_ID and HEARTH_PORTAL_OIDC_REDIRECT_URL must be set together/,
    );
    const labelled = loadConfig({
      NODE_ENV: 'test',
      ...portalSettings('https://login.council.example'),
      HEARTH_PORTAL_OIDC_LABEL: 'Sign in with your council account',
    });
    expect(labelled.portal.oidc?.label).toBe('Sign in with your council account');
    expect(labelled.oidc).toBeUndefined();
    await expect(
      testApp({
        ...deps,
        config: testConfig({
          ...portalSettings(provider.issuer),
          HEARTH_PORTAL_OIDC_REDIRECT_URL: 'http://hearth.test/sign-in/oidc/callback',
        }),
      }),
    ).rejects.toThrow(/must end in \/family\/sign-in\/oidc\/callback/);
  });
});

describe('families signing in where the provider wants a signed JWT (private_key_jwt), as GOV.UK One Login does', () => {
  const keyDir = mkdtempSync(join(tmpdir(), 'hearth-oidc-key-'));
  afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

  function keySettings(settings: Record<string, string>): Record<string, string> {
    return {
      HEARTH_PORTAL_OIDC_ISSUER: provider.issuer,
      HEARTH_PORTAL_OIDC_CLIENT_ID: KEY_CLIENT.clientId,
      HEARTH_PORTAL_OIDC_REDIRECT_URL: PORTAL_CALLBACK,
      ...settings,
    };
  }

  /** An app whose portal sign-in uses the key client with these settings, closed after `use`. */
  async function withKeyApp<T>(
    settings: Record<string, string>,
    use: (keyApp: FastifyInstance, keyDeps: Deps) => Promise<T>,
  ): Promise<T> {
    const keyDeps = { ...deps, config: testConfig(keySettings(settings)) };
    const keyApp = await testApp(keyDeps);
    try {
      return await use(keyApp, keyDeps);
    } finally {
      await keyApp.close();
    }
  }

  it('signs a family in with an EC key given inline, sending the vector of trust and no secret', async () => {
    const family = await makeFamily(deps, world, {
      teamId: world.teamA,
      status: 'invited',
      parentGiven: 'Ash',
    });
    provider.accounts.set('ash', { email: family.email, email_verified: true });
    // Line breaks written as \n, as an environment file may hold them.
    const inline = pem(FAMILY_EC_KEY.privateKey).replace(/\n/g, '\\n');
    await withKeyApp(
      {
        HEARTH_PORTAL_OIDC_PRIVATE_KEY: inline,
        HEARTH_PORTAL_OIDC_KEY_ID: 'family-ec',
        HEARTH_PORTAL_OIDC_VTR: '["Cl.Cm"]',
      },
      async (keyApp, keyDeps) => {
        expect(keyDeps.config.portal.oidc?.clientSecret).toBeUndefined();
        expect(keyDeps.config.portal.oidc?.privateKey?.key.asymmetricKeyType).toBe('ec');
        const before = await sessionCounts();
        const browser = new Browser(keyApp);
        const start = await browser.get('/family/sign-in/oidc');
        const target = new URL(String(start.headers.location));
        expect(target.searchParams.get('client_id')).toBe(KEY_CLIENT.clientId);
        expect(target.searchParams.get('vtr')).toBe('["Cl.Cm"]');
        const callback = await provider.signIn(target.href, 'ash', PORTAL_CALLBACK);
        const signedIn = await browser.get(`${callback.pathname}${callback.search}`);
        expect(signedIn.statusCode).toBe(303);
        expect(signedIn.headers.location).toBe('/family');
        expect((await browser.get('/family')).body).toContain(`Hello, Ash ${family.familyName}`);
        expect(await sessionCounts()).toEqual({ family: before.family + 1, staff: before.staff });
        expect((await account(family.accountId)).oidc_subject).toBe(`${provider.issuer}|ash`);
      },
    );
  });

  it('signs a family in with an RSA key read from a file', async () => {
    const family = await makeFamily(deps, world, { teamId: world.teamA, parentGiven: 'Rowan' });
    provider.accounts.set('rowan', { email: family.email, email_verified: true });
    const file = join(keyDir, 'family-rsa.pem');
    writeFileSync(file, pem(FAMILY_RSA_KEY.privateKey), { mode: 0o600 });
    await withKeyApp(
      { HEARTH_PORTAL_OIDC_PRIVATE_KEY_FILE: file, HEARTH_PORTAL_OIDC_KEY_ID: 'family-rsa' },
      async (keyApp) => {
        const browser = new Browser(keyApp);
        const signedIn = await familySignIn(browser, 'rowan');
        expect(signedIn.headers.location).toBe('/family');
        expect((await browser.get('/family')).body).toContain(`Hello, Rowan ${family.familyName}`);
      },
    );
  });

  it('fails the token request when the JWT is signed with a key the provider does not hold, and signs nobody in', async () => {
    const family = await makeFamily(deps, world, { teamId: world.teamA, parentGiven: 'Quinn' });
    provider.accounts.set('quinn', { email: family.email, email_verified: true });
    // A new key under the registered key's id: the provider checks the signature against the one it holds.
    const wrong = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const wrongSettings = {
      HEARTH_PORTAL_OIDC_PRIVATE_KEY: pem(wrong),
      HEARTH_PORTAL_OIDC_KEY_ID: 'family-ec',
    };
    const before = await sessionCounts();
    const { query, cookie } = await withKeyApp(wrongSettings, async (keyApp) => {
      const browser = new Browser(keyApp);
      const start = await browser.get('/family/sign-in/oidc');
      const flow = browser.cookies.get('hearth-family-oidc');
      const callback = await provider.signIn(String(start.headers.location), 'quinn', PORTAL_CALLBACK);
      const refused = await browser.get(`${callback.pathname}${callback.search}`);
      expect(refused.statusCode).toBe(400);
      expect(heading(refused.body)).toBe('Sorry, signing in did not work');
      expect(browser.cookies.has('hearth-family')).toBe(false);
      return { query: callback.search, cookie: flow };
    });
    expect(await sessionCounts()).toEqual(before);
    expect((await account(family.accountId)).oidc_subject).toBeNull();

    // The provider refused the client, not the code: the same callback fails again with the wrong key,
    // saying why, and then succeeds with the registered one.
    const wrongConfig = testConfig(keySettings(wrongSettings)).portal.oidc;
    const rightConfig = testConfig(
      keySettings({
        HEARTH_PORTAL_OIDC_PRIVATE_KEY: pem(FAMILY_EC_KEY.privateKey),
        HEARTH_PORTAL_OIDC_KEY_ID: 'family-ec',
      }),
    ).portal.oidc;
    if (!wrongConfig || !rightConfig) throw new Error('portal OIDC not configured');
    const input = { query, cookie, requestId: 'test-private-key-jwt' };
    const failed = await completeFamilyOidcSignIn(deps, wrongConfig, input);
    expect(failed).toMatchObject({
      kind: 'failed',
      reason: expect.stringMatching(/invalid_client/) as unknown,
    });
    expect(await sessionCounts()).toEqual(before);
    const signedIn = await completeFamilyOidcSignIn(deps, rightConfig, input);
    expect(signedIn).toMatchObject({ kind: 'signed-in', accountId: family.accountId });
    expect(await sessionCounts()).toEqual({ family: before.family + 1, staff: before.staff });
  });
});
