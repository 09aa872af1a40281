import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Deps } from '../../src/platform/deps.ts';
import { signedInAs } from './app-helpers.ts';
import { csrfFrom, type Browser } from './web.ts';

/**
 * Staff signed in to the pages through app.inject(), one session per user for the life of a test
 * file, each with its anti-forgery token read once from the home page. The app and deps are read
 * lazily (a getter), since a test file builds them in beforeAll.
 */
export type StaffPages = {
  /** The user's browser and token, signing them in the first time. */
  readonly as: (user: { readonly id: string }) => Promise<{ browser: Browser; token: string }>;
  readonly get: (user: { readonly id: string }, url: string) => Promise<LightMyRequestResponse>;
  /** Posts a form with the user's anti-forgery token. */
  readonly send: (
    user: { readonly id: string },
    url: string,
    form: Record<string, string | string[]>,
  ) => Promise<LightMyRequestResponse>;
  /** Forgets every session (after moving the test clock past a session's life, say). */
  readonly forget: () => void;
};

export function staffPages(context: () => { app: FastifyInstance; deps: Deps }): StaffPages {
  const sessions = new Map<string, { browser: Browser; token: string }>();
  const as = async (user: { readonly id: string }) => {
    let entry = sessions.get(user.id);
    if (!entry) {
      const { app, deps } = context();
      const browser = await signedInAs(app, deps, user.id);
      entry = { browser, token: csrfFrom((await browser.get('/')).body) };
      sessions.set(user.id, entry);
    }
    return entry;
  };
  return {
    as,
    get: async (user, url) => (await as(user)).browser.get(url),
    send: async (user, url, form) => {
      const { browser, token } = await as(user);
      return browser.post(url, form, { csrf: token });
    },
    forget: () => {
      sessions.clear();
    },
  };
}

/** The three fields of a GOV.UK date input named `name`, from an ISO date ('' leaves them blank). */
export function dateFields(name: string, iso: string): Record<string, string> {
  if (iso === '') return { [`${name}-day`]: '', [`${name}-month`]: '', [`${name}-year`]: '' };
  const [year = '', month = '', day = ''] = iso.split('-');
  return {
    [`${name}-day`]: String(Number(day)),
    [`${name}-month`]: String(Number(month)),
    [`${name}-year`]: year,
  };
}

/** The record version a form carries (for the stale-edit check). */
export function versionOf(body: string): string {
  const match = /name="version" value="(\d+)"/.exec(body);
  if (!match?.[1]) throw new Error('No version on the page');
  return match[1];
}
