import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { allowsInsecureIssuer, oidcConfiguration, OidcUnavailableError } from '../../src/platform/auth/oidc.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { openTestDb } from '../support/db.ts';
import { startTestProvider, type TestProvider } from '../support/oidc-provider.ts';
import { Browser, testApp } from '../support/web.ts';
import { makeWorld, testClock, testConfig, testDeps, type TestClock } from '../support/world.ts';

/**
 * The whole OpenID Connect flow against a real oidc-provider on 127.0.0.1 (test/support/oidc-provider.ts):
 * Hearth (over app.inject) sends the browser to the provider, the browser (fetch, with its own cookie
 * jar) signs in on the provider's development login and consent forms, and comes back to Hearth's callback.
 */

const CALLBACK = 'http://hearth.test/sign-in/oidc/callback';
const CLIENT_ID = 'hearth-test-client';
const CLIENT_SECRET = 'hearth-test-client-secret-0123456789';

let provider: TestProvider;
let issuer: string;
let accounts: TestProvider['accounts'];
let handle: DbHandle;
let deps: Deps;
let app: FastifyInstance;
let clock: TestClock;
let world: Awaited<ReturnType<typeof makeWorld>>;

beforeAll(async () => {
  provider = await startTestProvider([{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: CALLBACK }]);
  issuer = provider.issuer;
  accounts = provider.accounts;
  handle = await openTestDb();
  clock = testClock(new Date());
  deps = testDeps(handle, {
    clock,
    config: testConfig({
      HEARTH_OIDC_ISSUER: issuer,
      HEARTH_OIDC_CLIENT_ID: CLIENT_ID,
      HEARTH_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      HEARTH_OIDC_REDIRECT_URL: CALLBACK,
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

/** Follows the provider's login and consent forms back to Hearth's staff callback. */
function signInAtProvider(authorizationUrl: string, login: string): Promise<URL> {
  return provider.signIn(authorizationUrl, login, CALLBACK);
}

/** Starts at Hearth, signs in at the provider, and returns Hearth's answer at the callback. */
async function signInWithOidc(browser: Browser, login: string): Promise<LightMyRequestResponse> {
  const start = await browser.get('/sign-in/oidc');
  expect(start.statusCode).toBe(303);
  const location = String(start.headers.location);
  expect(location.startsWith(`${issuer}/`)).toBe(true);
  const callback = await signInAtProvider(location, login);
  return browser.get(`${callback.pathname}${callback.search}`);
}

async function counts(): Promise<{ users: number; sessions: number }> {
  const users = await deps.db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const sessions = await deps.db.selectFrom('sessions').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return { users: Number(users.n), sessions: Number(sessions.n) };
}

function heading(body: string): string | undefined {
  return /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(body)?.[1]?.trim();
}

describe('signing in with the council identity provider (OIDC)', () => {
  it('offers the council sign-in on the sign-in page and sends the browser to the provider with PKCE, state and nonce', async () => {
    const page = await new Browser(app).get('/sign-in');
    expect(page.body).toContain('href="/sign-in/oidc"');

    const start = await app.inject({ method: 'GET', url: '/sign-in/oidc' });
    expect(start.statusCode).toBe(303);
    const target = new URL(String(start.headers.location));
    expect(target.origin).toBe(issuer);
    expect(target.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(target.searchParams.get('redirect_uri')).toBe(CALLBACK);
    expect(target.searchParams.get('response_type')).toBe('code');
    expect(target.searchParams.get('code_challenge_method')).toBe('S256');
    expect(target.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(target.searchParams.get('state')).toBeTruthy();
    expect(target.searchParams.get('nonce')).toBeTruthy();
    const cookie = start.cookies.find((c) => c.name === 'hearth-oidc');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    expect(cookie?.maxAge).toBe(600);
    // Sealed: the state and verifier are not readable from the cookie.
    expect(cookie?.value).not.toContain(target.searchParams.get('state'));
  });

  it('signs a known user in with a full session, matching their verified email case-insensitively, and stores the subject', async () => {
    const user = await world.user({ roles: ['practitioner'], teamIds: [world.teamA], password: null, enrolled: false });
    accounts.set('alice', { email: user.email.toUpperCase(), email_verified: true });
    const browser = new Browser(app);

    const callback = await signInWithOidc(browser, 'alice');
    expect(callback.statusCode).toBe(303);
    expect(callback.headers.location).toBe('/');
    const token = browser.cookies.get('hearth-session');
    expect(token).toBeTruthy();
    expect(browser.cookies.has('hearth-oidc')).toBe(false);

    const row = await deps.db.selectFrom('users').select(['display_name', 'oidc_subject']).where('id', '=', user.id).executeTakeFirstOrThrow();
    const home = await browser.get('/');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain(`Hello, ${row.display_name}`);
    expect(row.oidc_subject).toBe(`${issuer}|alice`);

    const sessions = await deps.db.selectFrom('sessions').select('stage').where('user_id', '=', user.id).execute();
    expect(sessions.map((s) => s.stage)).toEqual(['full']);
    const audit = await deps.db
      .selectFrom('audit_log')
      .select(['action', 'actor_user_id', 'detail'])
      .where('entity_id', '=', user.id)
      .where('action', '=', 'auth.signed_in_oidc')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actor_user_id).toBe(user.id);
    expect(audit[0]?.detail).toEqual({ linked: true });
  });

  it('finds a linked user by subject even when the provider now gives a different email', async () => {
    const user = await world.user({ roles: ['practitioner'], teamIds: [world.teamA] });
    accounts.set('bob', { email: user.email, email_verified: true });
    expect((await signInWithOidc(new Browser(app), 'bob')).headers.location).toBe('/');
    accounts.set('bob', { email: 'bob.renamed@elsewhere.example', email_verified: true });
    const browser = new Browser(app);
    const again = await signInWithOidc(browser, 'bob');
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/');
    expect((await browser.get('/')).statusCode).toBe(200);
  });

  it('refuses an email Hearth does not know, and creates nothing', async () => {
    accounts.set('ghost', { email: 'ghost.nobody@example.gov.uk', email_verified: true });
    const before = await counts();
    const browser = new Browser(app);
    const refused = await signInWithOidc(browser, 'ghost');
    expect(refused.statusCode).toBe(403);
    expect(heading(refused.body)).toContain('You cannot sign in to Hearth with this account');
    expect(refused.body).toContain('govuk-heading-l');
    expect(browser.cookies.has('hearth-session')).toBe(false);
    expect(await counts()).toEqual(before);
    const ghost = await deps.db.selectFrom('users').select('id').where('email', 'ilike', 'ghost.nobody@example.gov.uk').executeTakeFirst();
    expect(ghost).toBeUndefined();
    expect((await browser.get('/')).headers.location).toBe('/sign-in');
  });

  it('refuses a disabled user, and an unverified email, with the same page as an unknown one', async () => {
    const disabled = await world.user({ roles: ['practitioner'] });
    await deps.db.updateTable('users').set({ disabled_at: clock.now() }).where('id', '=', disabled.id).execute();
    accounts.set('carol', { email: disabled.email, email_verified: true });
    const unverified = await world.user({ roles: ['practitioner'] });
    accounts.set('dave', { email: unverified.email, email_verified: false });
    accounts.set('erin', { email: 'erin.unknown@example.gov.uk', email_verified: true });

    const before = await counts();
    const unknown = await signInWithOidc(new Browser(app), 'erin');
    for (const login of ['carol', 'dave']) {
      const refused = await signInWithOidc(new Browser(app), login);
      expect(refused.statusCode).toBe(unknown.statusCode);
      expect(heading(refused.body)).toBe(heading(unknown.body));
    }
    expect(await counts()).toEqual(before);
    const subjects = await deps.db.selectFrom('users').select('oidc_subject').where('id', 'in', [disabled.id, unverified.id]).execute();
    expect(subjects.map((s) => s.oidc_subject)).toEqual([null, null]);
  });

  it('refuses a tampered state, a missing flow cookie, a replayed callback and an expired flow', async () => {
    const user = await world.user({ roles: ['practitioner'] });
    accounts.set('frank', { email: user.email, email_verified: true });
    const before = await counts();

    // The state is checked before the code is spent: the same flow cookie with the real state still works.
    const browser = new Browser(app);
    const begun = await browser.get('/sign-in/oidc');
    const flow = browser.cookies.get('hearth-oidc') ?? '';
    const returned = await signInAtProvider(String(begun.headers.location), 'frank');
    const forged = new URL(returned);
    forged.searchParams.set('state', `${returned.searchParams.get('state') ?? ''}x`);
    const tampered = await browser.get(`${forged.pathname}${forged.search}`);
    expect(tampered.statusCode).toBe(400);
    expect(heading(tampered.body)).toContain('signing in did not work');
    expect(browser.cookies.has('hearth-session')).toBe(false);
    expect(browser.cookies.has('hearth-oidc')).toBe(false);
    expect(await counts()).toEqual(before);
    browser.cookies.set('hearth-oidc', flow);
    expect((await browser.get(`${returned.pathname}${returned.search}`)).headers.location).toBe('/');
    const signedIn = await counts();

    const elsewhere = new Browser(app);
    const start = await elsewhere.get('/sign-in/oidc');
    const callback = await signInAtProvider(String(start.headers.location), 'frank');
    const stranger = await new Browser(app).get(`${callback.pathname}${callback.search}`);
    expect(stranger.statusCode).toBe(400);

    clock.advance(11 * 60_000);
    const late = await elsewhere.get(`${callback.pathname}${callback.search}`);
    expect(late.statusCode).toBe(400);
    expect(await counts()).toEqual(signedIn);

    // The same flow cookie and callback used again: the provider has already spent the code.
    clock.advance(-11 * 60_000);
    const replay = new Browser(app);
    replay.cookies.set('hearth-oidc', flow);
    expect((await replay.get(`${returned.pathname}${returned.search}`)).statusCode).toBe(400);
    expect(replay.cookies.has('hearth-session')).toBe(false);
    expect(await counts()).toEqual(signedIn);
  });

  it('is off when no issuer is configured', async () => {
    const plain = await testApp({ ...deps, config: testConfig() });
    try {
      expect((await plain.inject({ method: 'GET', url: '/sign-in/oidc' })).statusCode).toBe(404);
      expect((await plain.inject({ method: 'GET', url: '/sign-in/oidc/callback?code=x&state=y' })).statusCode).toBe(404);
      expect((await plain.inject({ method: 'GET', url: '/sign-in' })).body).not.toContain('/sign-in/oidc');
    } finally {
      await plain.close();
    }
  });

  it('allows plain http only for a provider on this machine', async () => {
    expect(allowsInsecureIssuer('http://127.0.0.1:3301')).toBe(true);
    expect(allowsInsecureIssuer('http://localhost:3301/realms/council')).toBe(true);
    expect(allowsInsecureIssuer('https://127.0.0.1')).toBe(false);
    expect(allowsInsecureIssuer('http://login.council.gov.uk')).toBe(false);
    expect(allowsInsecureIssuer('http://127.0.0.1.nip.io')).toBe(false);
    expect(allowsInsecureIssuer('http://localhost.council.gov.uk')).toBe(false);
    const insecure = oidcConfiguration({
      issuer: 'http://login.council.invalid',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUrl: CALLBACK,
      label: 'Council',
    });
    await expect(insecure).rejects.toBeInstanceOf(OidcUnavailableError);
    await expect(insecure).rejects.toHaveProperty('cause.code', 'OAUTH_HTTP_REQUEST_FORBIDDEN');
  });
});
