import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { totpCode } from '../../src/platform/auth/totp.ts';
import type { Clock } from '../../src/platform/clock.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { buildApp } from '../../src/web/app.ts';
import type { TestUser } from './world.ts';

export async function testApp(deps: Deps, extraRoutes?: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  return buildApp({ deps, handle: { kind: 'pglite' }, logger: false, ...(extraRoutes ? { extraRoutes } : {}) });
}

/** A browser stand-in over app.inject(): keeps cookies, reads CSRF tokens from pages. */
export class Browser {
  readonly app: FastifyInstance;
  readonly cookies = new Map<string, string>();
  constructor(app: FastifyInstance) {
    this.app = app;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies) {
      if (cookie.value === '' || (cookie.expires && cookie.expires.getTime() < Date.now())) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return response;
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.keep(await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader() } }));
  }

  /** Posts a form; takes the CSRF token from `tokenFrom` (a page URL) unless one is given. */
  async post(url: string, form: Record<string, string | string[]>, options: { csrf?: string | null; tokenFrom?: string } = {}) {
    let token = options.csrf;
    if (token === undefined) token = csrfFrom((await this.get(options.tokenFrom ?? '/sign-in')).body);
    const body = new URLSearchParams();
    if (token !== null) body.append('_csrf', token);
    for (const [key, value] of Object.entries(form)) {
      for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
    }
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url,
        headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: body.toString(),
      }),
    );
  }

  /** Password, then the current TOTP code. Returns the final response. */
  async signIn(user: TestUser, clock: Clock): Promise<LightMyRequestResponse> {
    const first = await this.post('/sign-in', { email: user.email, password: user.password });
    if (first.statusCode !== 303 || first.headers.location !== '/sign-in/second-factor') return first;
    return this.post('/sign-in/second-factor', { code: totpCode(user.totpSecret, clock.now()) }, { tokenFrom: '/sign-in/second-factor' });
  }
}

export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([0-9a-f]{64})"/.exec(html);
  if (!match?.[1]) throw new Error('No CSRF token on the page');
  return match[1];
}
