import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Settings come from the environment, parsed once at start. Every problem is collected and
 * reported together so an operator can fix them in one go.
 */
const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * A vector of trust request (RFC 8485), as GOV.UK One Login takes it: a JSON array of vectors such as
 * `["Cl.Cm"]`, each a dot-separated list of components (an upper-case category and a one-character value).
 * A single bare vector (`Cl.Cm`) is read as a list of one.
 */
const VECTOR = /^[A-Z][a-z0-9](\.[A-Z][a-z0-9])*$/;
const vectorsOfTrust = z.string().transform((value, ctx): readonly string[] => {
  let vectors: unknown = value;
  if (value.trimStart().startsWith('[')) {
    try {
      vectors = JSON.parse(value);
    } catch {
      vectors = undefined;
    }
  }
  const list = Array.isArray(vectors) ? (vectors as unknown[]) : [vectors];
  if (list.length === 0 || list.length > 10 || !list.every((v) => typeof v === 'string' && VECTOR.test(v))) {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON array of vectors of trust, like ["Cl.Cm"]' });
    return z.NEVER;
  }
  return list as string[];
});

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  HEARTH_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  HEARTH_ALLOW_PGLITE_IN_PRODUCTION: boolish.default(false),
  HEARTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  HEARTH_COOKIE_SECURE: boolish.optional(),
  HEARTH_SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  HEARTH_SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(24).default(10),
  HEARTH_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(10),
  HEARTH_DEMO_DATA: boolish.optional(),
  HEARTH_OIDC_ISSUER: z.url().optional(),
  HEARTH_OIDC_CLIENT_ID: z.string().min(1).optional(),
  HEARTH_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  HEARTH_OIDC_KEY_ID: z.string().min(1).max(200).optional(),
  HEARTH_OIDC_REDIRECT_URL: z.url().optional(),
  HEARTH_OIDC_LABEL: z.string().min(1).default('Sign in with your council account'),
  HEARTH_PUBLIC_URL: z.url().optional(),
  HEARTH_RELOAD_TEMPLATES: boolish.default(false),
  HEARTH_REFERENCE_AUTHORITIES: z
    .string()
    .regex(
      /^E(06|08|09|10|11)\d{6}(,E(06|08|09|10|11)\d{6})*$/,
      'must be a comma-separated list of authority codes like E10000015',
    )
    .optional(),
  NOTIFY_SENDER: z.enum(['smtp', 'notify', 'outbox']).optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  SMTP_FROM: z.string().min(3).default('Hearth <no-reply@hearth.invalid>'),
  NOTIFY_API_KEY: z
    .string()
    .regex(/-[0-9a-f-]{36}-[0-9a-f-]{36}$/, 'must be a GOV.UK Notify API key (name-service id-secret)')
    .optional(),
  NOTIFY_EMAIL_TEMPLATE_ID: z.uuid().optional(),
  NOTIFY_SMS_TEMPLATE_ID: z.uuid().optional(),
  NOTIFY_BASE_URL: z.url().default('https://api.notifications.service.gov.uk'),
  HEARTH_PORTAL_SHOW_STAFF_NAMES: boolish.default(false),
  HEARTH_PORTAL_OUT_OF_HOURS_PHONE: z.string().min(3).max(40).optional(),
  HEARTH_PORTAL_OIDC_ISSUER: z.url().optional(),
  HEARTH_PORTAL_OIDC_CLIENT_ID: z.string().min(1).optional(),
  HEARTH_PORTAL_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  HEARTH_PORTAL_OIDC_KEY_ID: z.string().min(1).max(200).optional(),
  HEARTH_PORTAL_OIDC_VTR: vectorsOfTrust.optional(),
  HEARTH_PORTAL_OIDC_REDIRECT_URL: z.url().optional(),
  HEARTH_PORTAL_OIDC_LABEL: z.string().min(1).max(80).default('Sign in with GOV.UK One Login'),
  HEARTH_PORTAL_OIDC_SCOPE: z
    .string()
    .regex(/^openid( [A-Za-z0-9_:.-]+)*$/, 'must start with openid, space-separated')
    .default('openid email'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How often the server works the insight figures out again (ADR 11); 0 = never (use the command). */
  HEARTH_INSIGHT_REFRESH_MINUTES: z.coerce.number().int().min(0).max(10_080).default(60),
});

type RawEnv = Record<string, string | undefined>;

/**
 * Rules across settings, checked on the raw values so they are reported even when another setting
 * fails to parse: the operator sees every problem at once.
 */
function crossChecks(env: RawEnv): string[] {
  const problems: string[] = [];
  const yes = (value: string | undefined) => value === 'true' || value === '1' || value === 'yes';
  const production = env['NODE_ENV'] === 'production';
  if (production && !env['DATABASE_URL'] && !yes(env['HEARTH_ALLOW_PGLITE_IN_PRODUCTION'])) {
    problems.push(
      'DATABASE_URL is required in production: the embedded PGlite database is for demos, development and tests. ' +
        'Set HEARTH_ALLOW_PGLITE_IN_PRODUCTION=true only if you accept that risk',
    );
  }
  if (production && !env['HEARTH_SECRET']) problems.push('HEARTH_SECRET is required in production');
  if (production && yes(env['HEARTH_DEMO_DATA'])) {
    problems.push('HEARTH_DEMO_DATA must not be set in production: demo accounts have published passwords');
  }
  const oidc = [env['HEARTH_OIDC_ISSUER'], env['HEARTH_OIDC_CLIENT_ID'], env['HEARTH_OIDC_REDIRECT_URL']];
  if (oidc.some(Boolean) && !oidc.every(Boolean)) {
    problems.push(
      'HEARTH_OIDC_ISSUER, HEARTH_OIDC_CLIENT_ID and HEARTH_OIDC_REDIRECT_URL must be set together',
    );
  }
  const portalOidc = [
    env['HEARTH_PORTAL_OIDC_ISSUER'],
    env['HEARTH_PORTAL_OIDC_CLIENT_ID'],
    env['HEARTH_PORTAL_OIDC_REDIRECT_URL'],
  ];
  if (portalOidc.some(Boolean) && !portalOidc.every(Boolean)) {
    problems.push(
      'HEARTH_PORTAL_OIDC_ISSUER, HEARTH_PORTAL_OIDC_CLIENT_ID and HEARTH_PORTAL_OIDC_REDIRECT_URL must be set together',
    );
  }
  problems.push(
    ...oidcCredentialProblems(env, 'HEARTH_OIDC'),
    ...oidcCredentialProblems(env, 'HEARTH_PORTAL_OIDC'),
  );
  const sender = env['NOTIFY_SENDER'];
  if (sender === 'smtp' && !env['SMTP_URL']) problems.push('SMTP_URL is required when NOTIFY_SENDER=smtp');
  if (sender === 'notify' && (!env['NOTIFY_API_KEY'] || !env['NOTIFY_EMAIL_TEMPLATE_ID'])) {
    problems.push('NOTIFY_API_KEY and NOTIFY_EMAIL_TEMPLATE_ID are required when NOTIFY_SENDER=notify');
  }
  if (production && sender === 'outbox') {
    problems.push('NOTIFY_SENDER=outbox must not be used in production: it writes sign-in codes to files');
  }
  return problems;
}

/**
 * How Hearth proves itself at the provider's token endpoint: a client secret or a private key
 * (private_key_jwt, which GOV.UK One Login requires), inline or in a file, but not both; or neither, for
 * a public client registered to use PKCE alone (as before private keys were supported).
 */
function oidcCredentialProblems(env: RawEnv, prefix: 'HEARTH_OIDC' | 'HEARTH_PORTAL_OIDC'): string[] {
  const problems: string[] = [];
  const secret = env[`${prefix}_CLIENT_SECRET`];
  const inline = env[`${prefix}_PRIVATE_KEY`];
  const file = env[`${prefix}_PRIVATE_KEY_FILE`];
  if (inline && file)
    problems.push(`${prefix}_PRIVATE_KEY and ${prefix}_PRIVATE_KEY_FILE must not both be set`);
  if (secret && (inline || file)) {
    problems.push(
      `${prefix}_CLIENT_SECRET and a private key (${prefix}_PRIVATE_KEY or _FILE) must not both be set`,
    );
  }
  if (env[`${prefix}_KEY_ID`] && !inline && !file) {
    problems.push(`${prefix}_KEY_ID is only used with ${prefix}_PRIVATE_KEY or ${prefix}_PRIVATE_KEY_FILE`);
  }
  return problems;
}

/** WebCrypto's names for the elliptic curves a client assertion may be signed on (ES256, ES384, ES512). */
export const OIDC_KEY_CURVES: Readonly<Record<string, 'P-256' | 'P-384' | 'P-521'>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

/**
 * Reads and checks the private key, so a wrong one stops Hearth at start rather than at someone's
 * sign-in. A PEM in an environment variable may have its line breaks written as `\n`.
 */
function readOidcKey(
  env: RawEnv,
  prefix: 'HEARTH_OIDC' | 'HEARTH_PORTAL_OIDC',
): { readonly key?: KeyObject; readonly problem?: string } {
  const inline = env[`${prefix}_PRIVATE_KEY`];
  const file = env[`${prefix}_PRIVATE_KEY_FILE`];
  if (inline && file) return {};
  let pem: string;
  let setting: string;
  if (file) {
    setting = `${prefix}_PRIVATE_KEY_FILE`;
    try {
      pem = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      return { problem: `${setting} cannot be read (${code})` };
    }
  } else if (inline) {
    setting = `${prefix}_PRIVATE_KEY`;
    pem = inline.includes('\n') ? inline : inline.replace(/\\n/g, '\n');
  } else {
    return {};
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return { problem: `${setting} must be an unencrypted PEM private key (PKCS#8, RSA or EC)` };
  }
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') {
    if ((details?.modulusLength ?? 0) < 2048)
      return { problem: `${setting} must be an RSA key of at least 2048 bits` };
  } else if (key.asymmetricKeyType === 'ec') {
    if (!details?.namedCurve || !(details.namedCurve in OIDC_KEY_CURVES)) {
      return { problem: `${setting} must be an EC key on the P-256, P-384 or P-521 curve` };
    }
  } else {
    return { problem: `${setting} must be an RSA or EC key, not ${key.asymmetricKeyType ?? 'unknown'}` };
  }
  return { key };
}

/** How messages to families (one-time sign-in codes) are sent. */
export type NotifyConfig =
  | { readonly sender: 'smtp'; readonly smtpUrl: string; readonly from: string }
  | {
      readonly sender: 'notify';
      readonly apiKey: string;
      readonly emailTemplateId: string;
      readonly smsTemplateId: string | undefined;
      readonly baseUrl: string;
    }
  /** Development and demos: messages are written to files under HEARTH_DATA_DIR/outbox. */
  | { readonly sender: 'outbox'; readonly dir: string }
  /** Nothing configured (production and tests by default): codes cannot be sent. */
  | { readonly sender: 'none' };

/** The key Hearth signs its client assertions with (private_key_jwt), and the id the provider knows it by. */
export type OidcPrivateKey = {
  /** RSA (at least 2048 bits: RS256) or EC (P-256, P-384 or P-521: ES256, ES384, ES512). */
  readonly key: KeyObject;
  /** Sent as the assertion's `kid` when set. */
  readonly keyId: string | undefined;
};

export type Oidc = {
  readonly issuer: string;
  readonly clientId: string;
  /** Sent to the token endpoint (client_secret_basic) when there is no private key; never both, possibly neither (a public client). */
  readonly clientSecret: string | undefined;
  /** When set, Hearth authenticates at the token endpoint with a signed JWT (private_key_jwt) instead of a secret. */
  readonly privateKey?: OidcPrivateKey;
  /** A vector of trust request sent as `vtr` (GOV.UK One Login's level of authentication), e.g. ["Cl.Cm"]. */
  readonly vtr?: readonly string[];
  readonly redirectUrl: string;
  readonly label: string;
  /** The scopes asked for; 'openid email profile' when unset. */
  readonly scope?: string;
};

export type Config = {
  readonly env: 'development' | 'test' | 'production';
  readonly port: number;
  readonly host: string;
  readonly database:
    | { readonly kind: 'pglite'; readonly dataDir: string }
    | { readonly kind: 'postgres'; readonly url: string };
  readonly secret: string;
  readonly cookieSecure: boolean;
  readonly sessionIdleMinutes: number;
  readonly sessionAbsoluteHours: number;
  readonly loginMaxFailures: number;
  readonly demoData: boolean;
  readonly oidc: Oidc | undefined;
  readonly logLevel: string;
  /** Minutes between refreshes of the insight snapshots in the server; 0 = never. */
  readonly insightRefreshMinutes: number;
  /** Re-read templates on every request (npm run dev only: it is several times slower). */
  readonly reloadTemplates: boolean;
  /** Load neighbourhoods and postcodes for these authorities only (tests, benchmarks); all of England when unset. */
  readonly referenceAuthorities: readonly string[] | undefined;
  /** The address people use to reach Hearth (links in messages), e.g. https://hearth.example.gov.uk. */
  readonly publicUrl: string | undefined;
  readonly notify: NotifyConfig;
  readonly portal: {
    /** Show staff names on "Who has looked at my record" (off: role and team only). */
    readonly showStaffNames: boolean;
    /** The out-of-hours (emergency duty team) number shown on every portal page. */
    readonly outOfHoursPhone: string | undefined;
    /** Families' sign-in with GOV.UK One Login or the council's provider, beside the one-time code. */
    readonly oidc: Oidc | undefined;
  };
};

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Hearth cannot start. Fix these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** The development secret is public: it only ever signs demo and test sessions. */
const DEVELOPMENT_SECRET = 'hearth-development-secret-never-use-in-production';

export function loadConfig(environment: Record<string, string | undefined> = process.env): Config {
  const input = Object.fromEntries(
    Object.entries(environment).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = schema.safeParse(input);
  const staffKey = readOidcKey(input, 'HEARTH_OIDC');
  const portalKey = readOidcKey(input, 'HEARTH_PORTAL_OIDC');
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(settings)'} ${issue.message}`)),
    ...crossChecks(input),
    ...[staffKey.problem, portalKey.problem].filter((problem) => problem !== undefined),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const env = parsed.data;
  const production = env.NODE_ENV === 'production';
  return Object.freeze({
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    database: env.DATABASE_URL
      ? { kind: 'postgres', url: env.DATABASE_URL }
      : { kind: 'pglite', dataDir: env.HEARTH_DATA_DIR },
    secret: env.HEARTH_SECRET ?? DEVELOPMENT_SECRET,
    cookieSecure: env.HEARTH_COOKIE_SECURE ?? production,
    sessionIdleMinutes: env.HEARTH_SESSION_IDLE_MINUTES,
    sessionAbsoluteHours: env.HEARTH_SESSION_ABSOLUTE_HOURS,
    loginMaxFailures: env.HEARTH_LOGIN_MAX_FAILURES,
    demoData: env.HEARTH_DEMO_DATA ?? (!production && !env.DATABASE_URL),
    oidc:
      env.HEARTH_OIDC_ISSUER && env.HEARTH_OIDC_CLIENT_ID && env.HEARTH_OIDC_REDIRECT_URL
        ? {
            issuer: env.HEARTH_OIDC_ISSUER,
            clientId: env.HEARTH_OIDC_CLIENT_ID,
            clientSecret: env.HEARTH_OIDC_CLIENT_SECRET,
            ...(staffKey.key ? { privateKey: { key: staffKey.key, keyId: env.HEARTH_OIDC_KEY_ID } } : {}),
            redirectUrl: env.HEARTH_OIDC_REDIRECT_URL,
            label: env.HEARTH_OIDC_LABEL,
          }
        : undefined,
    logLevel: env.LOG_LEVEL,
    insightRefreshMinutes: env.HEARTH_INSIGHT_REFRESH_MINUTES,
    reloadTemplates: env.HEARTH_RELOAD_TEMPLATES,
    referenceAuthorities: env.HEARTH_REFERENCE_AUTHORITIES?.split(','),
    publicUrl: env.HEARTH_PUBLIC_URL?.replace(/\/+$/, ''),
    notify: notifyConfig(env),
    portal: {
      showStaffNames: env.HEARTH_PORTAL_SHOW_STAFF_NAMES,
      outOfHoursPhone: env.HEARTH_PORTAL_OUT_OF_HOURS_PHONE,
      oidc:
        env.HEARTH_PORTAL_OIDC_ISSUER &&
        env.HEARTH_PORTAL_OIDC_CLIENT_ID &&
        env.HEARTH_PORTAL_OIDC_REDIRECT_URL
          ? {
              issuer: env.HEARTH_PORTAL_OIDC_ISSUER,
              clientId: env.HEARTH_PORTAL_OIDC_CLIENT_ID,
              clientSecret: env.HEARTH_PORTAL_OIDC_CLIENT_SECRET,
              ...(portalKey.key
                ? { privateKey: { key: portalKey.key, keyId: env.HEARTH_PORTAL_OIDC_KEY_ID } }
                : {}),
              redirectUrl: env.HEARTH_PORTAL_OIDC_REDIRECT_URL,
              label: env.HEARTH_PORTAL_OIDC_LABEL,
              scope: env.HEARTH_PORTAL_OIDC_SCOPE,
              ...(env.HEARTH_PORTAL_OIDC_VTR ? { vtr: env.HEARTH_PORTAL_OIDC_VTR } : {}),
            }
          : undefined,
    },
  } satisfies Config);
}

function notifyConfig(env: z.infer<typeof schema>): NotifyConfig {
  const sender = env.NOTIFY_SENDER ?? (env.NODE_ENV === 'development' ? 'outbox' : undefined);
  if (sender === 'smtp' && env.SMTP_URL) return { sender, smtpUrl: env.SMTP_URL, from: env.SMTP_FROM };
  if (sender === 'notify' && env.NOTIFY_API_KEY && env.NOTIFY_EMAIL_TEMPLATE_ID) {
    return {
      sender,
      apiKey: env.NOTIFY_API_KEY,
      emailTemplateId: env.NOTIFY_EMAIL_TEMPLATE_ID,
      smsTemplateId: env.NOTIFY_SMS_TEMPLATE_ID,
      baseUrl: env.NOTIFY_BASE_URL,
    };
  }
  if (sender === 'outbox') return { sender, dir: `${env.HEARTH_DATA_DIR.replace(/\/+$/, '')}/outbox` };
  return { sender: 'none' };
}
