import { z } from 'zod';

/**
 * Settings come from the environment, parsed once at start. Every problem is collected and
 * reported together so an operator can fix them in one go.
 */
const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z
  .object({
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
    HEARTH_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
    HEARTH_SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(24).default(10),
    HEARTH_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(10),
    HEARTH_DEMO_DATA: boolish.optional(),
    HEARTH_OIDC_ISSUER: z.url().optional(),
    HEARTH_OIDC_CLIENT_ID: z.string().min(1).optional(),
    HEARTH_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    HEARTH_OIDC_REDIRECT_URL: z.url().optional(),
    HEARTH_OIDC_LABEL: z.string().min(1).default('Sign in with your council account'),
    HEARTH_PUBLIC_URL: z.url().optional(),
    HEARTH_RELOAD_TEMPLATES: boolish.default(false),
    HEARTH_REFERENCE_AUTHORITIES: z
      .string()
      .regex(/^E(06|08|09|10|11)\d{6}(,E(06|08|09|10|11)\d{6})*$/, 'must be a comma-separated list of authority codes like E10000015')
      .optional(),
    NOTIFY_SENDER: z.enum(['smtp', 'notify', 'outbox']).optional(),
    SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(),
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
    HEARTH_PORTAL_OIDC_REDIRECT_URL: z.url().optional(),
    HEARTH_PORTAL_OIDC_LABEL: z.string().min(1).max(80).default('Sign in with GOV.UK One Login'),
    HEARTH_PORTAL_OIDC_SCOPE: z.string().regex(/^openid( [A-Za-z0-9_:.-]+)*$/, 'must start with openid, space-separated').default('openid email'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
    problems.push('HEARTH_OIDC_ISSUER, HEARTH_OIDC_CLIENT_ID and HEARTH_OIDC_REDIRECT_URL must be set together');
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

export type Oidc = {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly redirectUrl: string;
  readonly label: string;
  /** The scopes asked for; 'openid email profile' when unset. */
  readonly scope?: string;
};

export type Config = {
  readonly env: 'development' | 'test' | 'production';
  readonly port: number;
  readonly host: string;
  readonly database: { readonly kind: 'pglite'; readonly dataDir: string } | { readonly kind: 'postgres'; readonly url: string };
  readonly secret: string;
  readonly cookieSecure: boolean;
  readonly sessionIdleMinutes: number;
  readonly sessionAbsoluteHours: number;
  readonly loginMaxFailures: number;
  readonly demoData: boolean;
  readonly oidc: Oidc | undefined;
  readonly logLevel: string;
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
  const input = Object.fromEntries(Object.entries(environment).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(input);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(settings)'} ${issue.message}`)),
    ...crossChecks(input),
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
            redirectUrl: env.HEARTH_OIDC_REDIRECT_URL,
            label: env.HEARTH_OIDC_LABEL,
          }
        : undefined,
    logLevel: env.LOG_LEVEL,
    reloadTemplates: env.HEARTH_RELOAD_TEMPLATES,
    referenceAuthorities: env.HEARTH_REFERENCE_AUTHORITIES?.split(','),
    publicUrl: env.HEARTH_PUBLIC_URL?.replace(/\/+$/, ''),
    notify: notifyConfig(env),
    portal: {
      showStaffNames: env.HEARTH_PORTAL_SHOW_STAFF_NAMES,
      outOfHoursPhone: env.HEARTH_PORTAL_OUT_OF_HOURS_PHONE,
      oidc:
        env.HEARTH_PORTAL_OIDC_ISSUER && env.HEARTH_PORTAL_OIDC_CLIENT_ID && env.HEARTH_PORTAL_OIDC_REDIRECT_URL
          ? {
              issuer: env.HEARTH_PORTAL_OIDC_ISSUER,
              clientId: env.HEARTH_PORTAL_OIDC_CLIENT_ID,
              clientSecret: env.HEARTH_PORTAL_OIDC_CLIENT_SECRET,
              redirectUrl: env.HEARTH_PORTAL_OIDC_REDIRECT_URL,
              label: env.HEARTH_PORTAL_OIDC_LABEL,
              scope: env.HEARTH_PORTAL_OIDC_SCOPE,
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
