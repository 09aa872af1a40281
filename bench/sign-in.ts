import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../src/modules/demo/demo-seed.ts';
import { totpCode } from '../src/platform/auth/totp.ts';

/** A sign-in step that takes longer than this has hung (e.g. a database deadlock). */
const TIMEOUT_MS = 30_000;

/** A tiny cookie jar: name → value, from Set-Cookie headers (expired/cleared cookies are dropped). */
class CookieJar {
  readonly #cookies = new Map<string, string>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const cleared = value === '' || /;\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(line);
      if (cleared) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

function csrfTokenIn(html: string, page: string): string {
  const match = /name="_csrf" value="([0-9a-f]{64})"/.exec(html);
  if (!match?.[1]) throw new Error(`sign-in: no CSRF token on ${page}`);
  return match[1];
}

async function expectStatus(response: Response, expected: number, step: string): Promise<void> {
  if (response.status === expected) return;
  const body = (await response.text()).slice(0, 400).replace(/\s+/g, ' ');
  throw new Error(`sign-in: ${step} answered ${response.status}, expected ${expected}: ${body}`);
}

function expectRedirect(response: Response, location: string, step: string): void {
  if (response.status !== 303 || response.headers.get('location') !== location) {
    throw new Error(
      `sign-in: ${step} answered ${response.status} → ${response.headers.get('location') ?? '(no location)'}, expected 303 → ${location}`,
    );
  }
}

export type SignedIn = {
  /** The Cookie header to send on every request. */
  readonly cookieHeader: string;
  /** Children linked from the home page, in page order. */
  readonly childIds: readonly string[];
};

/**
 * Signs the demo practitioner in as a browser would: GET /sign-in for the pre-session cookie and its
 * CSRF token, POST the password, GET the second-factor page for the session's CSRF token, POST the
 * TOTP code from the demo secret, then GET / to prove the session works and to find the children.
 */
export async function signInDemoPractitioner(base: string): Promise<SignedIn> {
  const account = DEMO_ACCOUNTS.find((a) => a.email === 'practitioner@demo.hearth.invalid');
  if (!account) throw new Error('sign-in: the demo practitioner account is missing from DEMO_ACCOUNTS');
  const signedIn = await signIn(base, { ...account, password: DEMO_PASSWORD });
  if (signedIn.childIds.length === 0)
    throw new Error('sign-in: the home page lists no children for the demo practitioner');
  return signedIn;
}

/** Signs any staff account in (password and TOTP secret known), as signInDemoPractitioner does. */
export async function signIn(
  base: string,
  account: {
    readonly email: string;
    readonly name: string;
    readonly password: string;
    readonly totp: string;
  },
): Promise<SignedIn> {
  const jar = new CookieJar();
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    redirect: 'manual' as const,
    signal: AbortSignal.timeout(TIMEOUT_MS),
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams(fields).toString(),
  });

  const signInPage = await fetch(`${base}/sign-in`, {
    redirect: 'manual',
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  await expectStatus(signInPage, 200, 'GET /sign-in');
  jar.take(signInPage);
  const preCsrf = csrfTokenIn(await signInPage.text(), 'GET /sign-in');

  const password = await fetch(
    `${base}/sign-in`,
    form({ email: account.email, password: account.password, _csrf: preCsrf }),
  );
  expectRedirect(password, '/sign-in/second-factor', 'POST /sign-in');
  jar.take(password);

  const secondFactorPage = await fetch(`${base}/sign-in/second-factor`, {
    redirect: 'manual',
    signal: AbortSignal.timeout(TIMEOUT_MS),
    headers: { cookie: jar.header() },
  });
  await expectStatus(secondFactorPage, 200, 'GET /sign-in/second-factor');
  jar.take(secondFactorPage);
  const sessionCsrf = csrfTokenIn(await secondFactorPage.text(), 'GET /sign-in/second-factor');

  const code = await fetch(
    `${base}/sign-in/second-factor`,
    form({ code: totpCode(account.totp), _csrf: sessionCsrf }),
  );
  expectRedirect(code, '/', 'POST /sign-in/second-factor');
  jar.take(code);

  const home = await fetch(`${base}/`, {
    redirect: 'manual',
    signal: AbortSignal.timeout(TIMEOUT_MS),
    headers: { cookie: jar.header() },
  });
  await expectStatus(home, 200, 'GET / after signing in');
  jar.take(home);
  const html = await home.text();
  if (!html.includes(account.name)) throw new Error(`sign-in: the home page does not greet ${account.name}`);
  const childIds = [
    ...new Set([...html.matchAll(/href="\/children\/([0-9a-f-]{36})"/g)].map((m) => m[1] ?? '')),
  ].filter(Boolean);
  return { cookieHeader: jar.header(), childIds };
}
