import { sql } from 'kysely';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { DbHandle } from '../../src/db/connect.ts';
import { createSession } from '../../src/platform/auth/sessions.ts';
import type { Deps } from '../../src/platform/deps.ts';
import { buildApp, type AppOptions } from '../../src/web/app.ts';
import { Browser } from '../support/web.ts';

/** One route as registered, with its access level (`public`, `second-factor` or staff by default). */
export type RouteInfo = {
  readonly method: string;
  readonly url: string;
  readonly access: string | undefined;
};

/**
 * Builds the whole app and records every route as it is registered (buildApp's onRoute option runs
 * before any plugin), so suites can walk the real route table rather than a hand-kept list.
 */
export async function appWithRouteTable(
  deps: Deps,
  options: Partial<Pick<AppOptions, 'extraRoutes' | 'logStream'>> = {},
): Promise<{ app: FastifyInstance; routes: RouteInfo[] }> {
  const routes: RouteInfo[] = [];
  const app = await buildApp({
    deps,
    handle: { kind: 'pglite' },
    logger: false,
    ...options,
    onRoute: (route) => {
      for (const method of [route.method].flat())
        routes.push({ method, url: route.url, access: route.config?.access });
    },
  });
  await app.ready();
  return { app, routes };
}

/** Fills `:param` and `*` segments of a route pattern. */
export function fillRoute(url: string, params: Record<string, string>, fallback: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => params[name] ?? fallback).replace(/\*/g, 'x');
}

/**
 * A browser with a full session for this user, made the way the second-factor step makes one. For
 * suites that are not about signing in (it skips the argon2 and TOTP steps and the sign-in rate limits).
 */
export async function signedInAs(app: FastifyInstance, deps: Deps, userId: string): Promise<Browser> {
  const browser = new Browser(app);
  browser.cookies.set('hearth-session', await createSession(deps, userId, 'full'));
  return browser;
}

/** Every row of every table, as text: two snapshots are equal only if nothing was written. */
export async function snapshot(handle: DbHandle): Promise<Record<string, string>> {
  const tables = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(
    handle.db,
  );
  const result: Record<string, string> = {};
  for (const { name } of tables.rows) {
    const rows = await sql<{
      row: string;
    }>`SELECT t::text AS row FROM ${sql.table(name)} t ORDER BY 1`.execute(handle.db);
    result[name] = rows.rows.map((r) => r.row).join('\n');
  }
  return result;
}

export async function count(
  handle: DbHandle,
  table: string,
  where: Record<string, string> = {},
): Promise<number> {
  const conditions = Object.entries(where).map(([column, value]) => sql`${sql.ref(column)}::text = ${value}`);
  const filter = conditions.length > 0 ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
  const result = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM ${sql.table(table)} ${filter}`.execute(handle.db);
  return result.rows[0]?.n ?? 0;
}

/** A GOV.UK error page: HTML, the given status, GOV.UK markup, and nothing of the internals. */
export function expectGovukErrorPage(
  response: LightMyRequestResponse,
  status: number,
  heading?: string,
): void {
  expect(response.statusCode, response.body.slice(0, 300)).toBe(status);
  expect(response.headers['content-type']).toMatch(/^text\/html/);
  expect(response.body).toContain('govuk-template');
  expect(response.body).toContain('govuk-heading-l');
  if (heading)
    expect(/<h1 class="govuk-heading-l">([^<]*)<\/h1>/.exec(response.body)?.[1]?.trim()).toBe(heading);
  expectNoInternals(response.body);
}

/** No stack frames, error class names, file paths or SQL in a page. */
export function expectNoInternals(body: string): void {
  expect(body).not.toMatch(/\n\s+at [\w.<>]+ \(|at async /);
  expect(body).not.toMatch(
    /\b(TypeError|ReferenceError|SyntaxError|DatabaseError|FastifyError|FST_ERR_\w+)\b/,
  );
  expect(body).not.toMatch(/\.ts:\d+|node_modules|\/work\/|src\/web/);
  expect(body).not.toMatch(/\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b/);
  expect(body).not.toMatch(/invalid input syntax|violates|relation "|column "/);
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
