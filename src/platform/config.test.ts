import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const SECRET = 'a-production-secret-of-at-least-32-characters';
const OIDC = {
  HEARTH_OIDC_ISSUER: 'https://login.example.gov.uk/tenant/v2.0',
  HEARTH_OIDC_CLIENT_ID: 'hearth',
  HEARTH_OIDC_REDIRECT_URL: 'https://hearth.example.gov.uk/sign-in/oidc/callback',
};

/** The problems loadConfig reports for an environment (fails the test if it does not refuse). */
function problemsFor(environment: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect((error as ConfigError).message).toContain('Hearth cannot start');
    for (const problem of problems) expect((error as ConfigError).message).toContain(problem);
    return problems;
  }
  throw new Error('expected loadConfig to refuse this environment');
}

describe('loadConfig', () => {
  it('has safe defaults for development', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.database).toEqual({ kind: 'pglite', dataDir: './data' });
    expect(config.secret.length).toBeGreaterThanOrEqual(32);
    expect(config.cookieSecure).toBe(false);
    expect(config.sessionIdleMinutes).toBe(30);
    expect(config.sessionAbsoluteHours).toBe(10);
    expect(config.loginMaxFailures).toBe(10);
    expect(config.demoData).toBe(true);
    expect(config.oidc).toBeUndefined();
    expect(config.logLevel).toBe('info');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('treats empty and missing settings alike', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '', HEARTH_SECRET: undefined })).toEqual(loadConfig({}));
  });

  it('reads numbers and yes/no settings', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      HEARTH_DATA_DIR: '/var/lib/hearth',
      HEARTH_SESSION_IDLE_MINUTES: '15',
      HEARTH_SESSION_ABSOLUTE_HOURS: '8',
      HEARTH_LOGIN_MAX_FAILURES: '5',
      HEARTH_COOKIE_SECURE: 'yes',
      HEARTH_DEMO_DATA: '0',
      LOG_LEVEL: 'warn',
    });
    expect(config.port).toBe(8080);
    expect(config.host).toBe('0.0.0.0');
    expect(config.database).toEqual({ kind: 'pglite', dataDir: '/var/lib/hearth' });
    expect(config.sessionIdleMinutes).toBe(15);
    expect(config.sessionAbsoluteHours).toBe(8);
    expect(config.loginMaxFailures).toBe(5);
    expect(config.cookieSecure).toBe(true);
    expect(config.demoData).toBe(false);
    expect(config.logLevel).toBe('warn');
  });

  it('reports every problem together', () => {
    const problems = problemsFor({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://db.example/hearth',
      HEARTH_SECRET: 'too-short',
      HEARTH_SESSION_IDLE_MINUTES: '0',
      HEARTH_COOKIE_SECURE: 'maybe',
      LOG_LEVEL: 'loud',
      HEARTH_OIDC_ISSUER: OIDC.HEARTH_OIDC_ISSUER,
    });
    const named = (setting: string) =>
      problems.some((p) => p.startsWith(setting) || p.includes(` ${setting}`));
    for (const setting of [
      'PORT',
      'DATABASE_URL',
      'HEARTH_SECRET',
      'HEARTH_SESSION_IDLE_MINUTES',
      'HEARTH_COOKIE_SECURE',
      'LOG_LEVEL',
      'HEARTH_OIDC_CLIENT_ID',
    ]) {
      expect(named(setting), `${setting} in ${JSON.stringify(problems)}`).toBe(true);
    }
    expect(problems.length).toBeGreaterThanOrEqual(7);
    expect(problems.find((p) => p.startsWith('DATABASE_URL'))).toContain('postgres://');
    expect(problems.find((p) => p.startsWith('HEARTH_SECRET'))).toContain('32');
  });

  it('reports cross-setting problems alongside unparseable ones', () => {
    const problems = problemsFor({ NODE_ENV: 'production', PORT: 'not-a-port' });
    expect(problems.some((p) => p.startsWith('PORT'))).toBe(true);
    expect(problems.some((p) => p.startsWith('DATABASE_URL is required in production'))).toBe(true);
    expect(problems.some((p) => p.startsWith('HEARTH_SECRET is required in production'))).toBe(true);
  });

  it('switches to PostgreSQL when DATABASE_URL is set, with no demo data by default', () => {
    for (const url of [
      'postgres://hearth:pw@db.internal:5432/hearth',
      'postgresql://db.internal/hearth?sslmode=require',
    ]) {
      const config = loadConfig({ DATABASE_URL: url });
      expect(config.database).toEqual({ kind: 'postgres', url });
      expect(config.demoData).toBe(false);
    }
  });

  it('refuses production without DATABASE_URL unless PGlite is explicitly allowed', () => {
    const refused = problemsFor({ NODE_ENV: 'production', HEARTH_SECRET: SECRET });
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/^DATABASE_URL is required in production/);
    expect(refused[0]).toContain('HEARTH_ALLOW_PGLITE_IN_PRODUCTION');
    expect(
      problemsFor({
        NODE_ENV: 'production',
        HEARTH_SECRET: SECRET,
        HEARTH_ALLOW_PGLITE_IN_PRODUCTION: 'false',
      }),
    ).toHaveLength(1);

    const allowed = loadConfig({
      NODE_ENV: 'production',
      HEARTH_SECRET: SECRET,
      HEARTH_ALLOW_PGLITE_IN_PRODUCTION: 'true',
    });
    expect(allowed.database.kind).toBe('pglite');
    const postgres = loadConfig({
      NODE_ENV: 'production',
      HEARTH_SECRET: SECRET,
      DATABASE_URL: 'postgres://db.internal/hearth',
    });
    expect(postgres.database.kind).toBe('postgres');
  });

  it('needs HEARTH_SECRET in production, and uses it', () => {
    const problems = problemsFor({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db.internal/hearth' });
    expect(problems).toEqual(['HEARTH_SECRET is required in production']);
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db.internal/hearth',
      HEARTH_SECRET: SECRET,
    });
    expect(config.secret).toBe(SECRET);
    expect(config.env).toBe('production');
    expect(config.cookieSecure).toBe(true);
    expect(config.demoData).toBe(false);
    // The public development secret is never what production runs with.
    expect(loadConfig({}).secret).not.toBe(SECRET);
  });

  it('refuses demo data in production', () => {
    const problems = problemsFor({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db.internal/hearth',
      HEARTH_SECRET: SECRET,
      HEARTH_DEMO_DATA: 'true',
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^HEARTH_DEMO_DATA/);
  });

  it('needs the OIDC settings together', () => {
    for (const missing of Object.keys(OIDC)) {
      const partial = Object.fromEntries(Object.entries(OIDC).filter(([key]) => key !== missing));
      const problems = problemsFor(partial);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain('must be set together');
    }
    expect(loadConfig({}).oidc).toBeUndefined();
    const config = loadConfig({ ...OIDC, HEARTH_OIDC_CLIENT_SECRET: 'client-secret' });
    expect(config.oidc).toEqual({
      issuer: OIDC.HEARTH_OIDC_ISSUER,
      clientId: 'hearth',
      clientSecret: 'client-secret',
      redirectUrl: OIDC.HEARTH_OIDC_REDIRECT_URL,
      label: 'Sign in with your council account',
    });
    expect(
      problemsFor({ ...OIDC, HEARTH_OIDC_ISSUER: 'not a url' }).some((p) =>
        p.startsWith('HEARTH_OIDC_ISSUER'),
      ),
    ).toBe(true);
  });
});
