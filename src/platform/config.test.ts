import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
      const problems = problemsFor({ ...partial, HEARTH_OIDC_CLIENT_SECRET: 'client-secret' });
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

  describe('how Hearth proves itself to the OIDC provider: a client secret or a private key', () => {
    const PORTAL = {
      HEARTH_PORTAL_OIDC_ISSUER: 'https://oidc.integration.account.gov.uk/',
      HEARTH_PORTAL_OIDC_CLIENT_ID: 'hearth-family',
      HEARTH_PORTAL_OIDC_REDIRECT_URL: 'https://hearth.example.gov.uk/family/sign-in/oidc/callback',
    };
    const pkcs8 = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }).toString();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const dir = mkdtempSync(join(tmpdir(), 'hearth-config-key-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('takes a secret or a key but not both (or neither, for a public client), for staff and for families', () => {
      expect(loadConfig(OIDC).oidc?.clientSecret).toBeUndefined();
      expect(loadConfig(PORTAL).portal.oidc?.privateKey).toBeUndefined();
      expect(
        problemsFor({
          ...PORTAL,
          HEARTH_PORTAL_OIDC_CLIENT_SECRET: 'secret',
          HEARTH_PORTAL_OIDC_PRIVATE_KEY: pkcs8(ec),
        }),
      ).toEqual([
        'HEARTH_PORTAL_OIDC_CLIENT_SECRET and a private key (HEARTH_PORTAL_OIDC_PRIVATE_KEY or _FILE) must not both be set',
      ]);
      const file = join(dir, 'both.pem');
      writeFileSync(file, pkcs8(ec));
      expect(
        problemsFor({ ...OIDC, HEARTH_OIDC_PRIVATE_KEY: pkcs8(ec), HEARTH_OIDC_PRIVATE_KEY_FILE: file }),
      ).toEqual(['HEARTH_OIDC_PRIVATE_KEY and HEARTH_OIDC_PRIVATE_KEY_FILE must not both be set']);
      expect(problemsFor({ ...OIDC, HEARTH_OIDC_CLIENT_SECRET: 'secret', HEARTH_OIDC_KEY_ID: 'k1' })).toEqual(
        ['HEARTH_OIDC_KEY_ID is only used with HEARTH_OIDC_PRIVATE_KEY or HEARTH_OIDC_PRIVATE_KEY_FILE'],
      );
      // A key with nothing else configured is still a mistake worth reporting with the rest.
      expect(
        problemsFor({
          HEARTH_PORTAL_OIDC_CLIENT_SECRET: 'secret',
          HEARTH_PORTAL_OIDC_PRIVATE_KEY: pkcs8(ec),
        }),
      ).toEqual([
        'HEARTH_PORTAL_OIDC_CLIENT_SECRET and a private key (HEARTH_PORTAL_OIDC_PRIVATE_KEY or _FILE) must not both be set',
      ]);
    });

    it('reads an EC key inline (line breaks as \\n too) and an RSA key from a file, with its key id', () => {
      const inline = loadConfig({
        ...PORTAL,
        HEARTH_PORTAL_OIDC_PRIVATE_KEY: pkcs8(ec).replace(/\n/g, '\\n'),
        HEARTH_PORTAL_OIDC_KEY_ID: 'family-2026',
      }).portal.oidc;
      expect(inline?.clientSecret).toBeUndefined();
      expect(inline?.privateKey?.keyId).toBe('family-2026');
      expect(inline?.privateKey?.key.asymmetricKeyType).toBe('ec');
      expect(inline?.privateKey?.key.equals(ec)).toBe(true);

      const file = join(dir, 'staff-rsa.pem');
      writeFileSync(file, pkcs8(rsa));
      const staff = loadConfig({ ...OIDC, HEARTH_OIDC_PRIVATE_KEY_FILE: file }).oidc;
      expect(staff?.privateKey?.key.equals(rsa)).toBe(true);
      expect(staff?.privateKey?.keyId).toBeUndefined();
      expect(staff?.clientSecret).toBeUndefined();
      // A secret alone still works, with no key.
      expect(loadConfig({ ...OIDC, HEARTH_OIDC_CLIENT_SECRET: 'secret' }).oidc?.privateKey).toBeUndefined();
    });

    it('refuses a key it cannot use, naming the setting', () => {
      const missing = join(dir, 'no-such-key.pem');
      expect(problemsFor({ ...OIDC, HEARTH_OIDC_PRIVATE_KEY_FILE: missing })).toEqual([
        'HEARTH_OIDC_PRIVATE_KEY_FILE cannot be read (ENOENT)',
      ]);
      const unusable = {
        'not a key': 'not a key',
        'a public key': createPublicKey(ec).export({ format: 'pem', type: 'spki' }).toString(),
        'an encrypted key': ec
          .export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'words' })
          .toString(),
      };
      for (const [what, value] of Object.entries(unusable)) {
        expect(problemsFor({ ...PORTAL, HEARTH_PORTAL_OIDC_PRIVATE_KEY: value }), what).toEqual([
          'HEARTH_PORTAL_OIDC_PRIVATE_KEY must be an unencrypted PEM private key (PKCS#8, RSA or EC)',
        ]);
      }
      const ed25519 = generateKeyPairSync('ed25519').privateKey;
      expect(problemsFor({ ...PORTAL, HEARTH_PORTAL_OIDC_PRIVATE_KEY: pkcs8(ed25519) })).toEqual([
        'HEARTH_PORTAL_OIDC_PRIVATE_KEY must be an RSA or EC key, not ed25519',
      ]);
      const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
      expect(problemsFor({ ...PORTAL, HEARTH_PORTAL_OIDC_PRIVATE_KEY: pkcs8(small) })).toEqual([
        'HEARTH_PORTAL_OIDC_PRIVATE_KEY must be an RSA key of at least 2048 bits',
      ]);
      const koblitz = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey;
      expect(problemsFor({ ...PORTAL, HEARTH_PORTAL_OIDC_PRIVATE_KEY: pkcs8(koblitz) })).toEqual([
        'HEARTH_PORTAL_OIDC_PRIVATE_KEY must be an EC key on the P-256, P-384 or P-521 curve',
      ]);
    });

    it("reads the family portal's vector of trust", () => {
      const withSecret = { ...PORTAL, HEARTH_PORTAL_OIDC_CLIENT_SECRET: 'secret' };
      expect(loadConfig(withSecret).portal.oidc?.vtr).toBeUndefined();
      expect(loadConfig({ ...withSecret, HEARTH_PORTAL_OIDC_VTR: '["Cl.Cm"]' }).portal.oidc?.vtr).toEqual([
        'Cl.Cm',
      ]);
      expect(loadConfig({ ...withSecret, HEARTH_PORTAL_OIDC_VTR: 'Cl' }).portal.oidc?.vtr).toEqual(['Cl']);
      expect(
        loadConfig({ ...withSecret, HEARTH_PORTAL_OIDC_VTR: '["Cl.Cm.P2", "Cl.Cm"]' }).portal.oidc?.vtr,
      ).toEqual(['Cl.Cm.P2', 'Cl.Cm']);
      for (const bad of ['["Cl.Cm"', '[]', '["medium"]', '[1]', 'Cl,Cm', '{"vtr":"Cl.Cm"}']) {
        const problems = problemsFor({ ...withSecret, HEARTH_PORTAL_OIDC_VTR: bad });
        expect(problems, bad).toEqual([
          'HEARTH_PORTAL_OIDC_VTR must be a JSON array of vectors of trust, like ["Cl.Cm"]',
        ]);
      }
    });
  });
});
