import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A real OpenID Connect provider (oidc-provider, with its development login and consent forms) on
 * 127.0.0.1, for tests of Hearth's sign-in: staff (test/integration/oidc.test.ts) and families
 * (test/integration/portal-oidc.test.ts). Tests say what the provider knows about each login name
 * through `accounts`, and change it as they go.
 */
export type ProviderClaims = { email: string; email_verified: boolean; name?: string };

export type TestClient = {
  readonly clientId: string;
  readonly redirectUri: string;
} & (
  | { readonly clientSecret: string }
  /** A client that authenticates with a signed JWT (private_key_jwt), checked against these public keys. */
  | { readonly publicKeys: readonly JsonWebKey[] }
);

export type TestProvider = {
  readonly issuer: string;
  readonly accounts: Map<string, ProviderClaims>;
  /**
   * Follows the provider from an authorization URL through its login and consent forms until it sends
   * the browser back to `callback`. Returns the callback URL (absolute), or throws with what went wrong.
   */
  signIn(authorizationUrl: string, login: string, callback: string): Promise<URL>;
  close(): Promise<void>;
};

type ProviderInstance = { callback(): (req: IncomingMessage, res: ServerResponse) => void };
type ProviderClass = new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;

/** Listens on the first free port in 3300–3399, starting somewhere in the middle. */
async function listenInRange(target: Server): Promise<number> {
  const first = 3340 + Math.floor(Math.random() * 40);
  for (let i = 0; i < 100; i += 1) {
    const port = 3300 + ((first - 3300 + i) % 100);
    try {
      await new Promise<void>((resolve, reject) => {
        target.once('error', reject);
        target.listen(port, '127.0.0.1', () => {
          target.off('error', reject);
          resolve();
        });
      });
      return port;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
  throw new Error('No free port in 3300–3399');
}

export async function startTestProvider(clients: readonly TestClient[]): Promise<TestProvider> {
  const accounts = new Map<string, ProviderClaims>();
  const route: { handler?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const server = createServer((req, res) => {
    if (route.handler) route.handler(req, res);
    else res.writeHead(503).end();
  });
  const port = await listenInRange(server);
  const issuer = `http://127.0.0.1:${String(port)}`;
  // oidc-provider ships no type declarations: a specifier typed as string keeps tsc from looking for
  // them, and ProviderClass describes the little of it used here.
  const specifier: string = 'oidc-provider';
  const { default: Provider } = (await import(specifier)) as { default: ProviderClass };
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: clients.map((c) => ({
      client_id: c.clientId,
      redirect_uris: [c.redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      ...('clientSecret' in c
        ? { client_secret: c.clientSecret, token_endpoint_auth_method: 'client_secret_basic' }
        : { jwks: { keys: c.publicKeys }, token_endpoint_auth_method: 'private_key_jwt' }),
    })),
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: (_ctx: unknown, id: string) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: () => ({ sub: id, ...account }) };
    },
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: ['oidc-test-cookie-signing-key'] },
    ttl: {
      Interaction: 600,
      Session: 600,
      Grant: 600,
      AccessToken: 600,
      IdToken: 600,
      AuthorizationCode: 60,
    },
    features: { devInteractions: { enabled: true } },
  });
  route.handler = provider.callback();

  return {
    issuer,
    accounts,
    signIn: (authorizationUrl, login, callback) => signInAtProvider(authorizationUrl, login, callback),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A browser's cookie jar and navigation at the provider (plain fetch, redirects by hand). */
class ProviderBrowser {
  readonly cookies = new Map<string, string>();

  async request(
    url: string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = {
      cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    };
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      redirect: 'manual',
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some(
        (a) => /^\s*expires=/i.test(a) && new Date(a.split('=')[1] ?? '').getTime() < Date.now(),
      );
      if (!value || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}

function decodeHtml(value: string): string {
  return value
    .replace(/&amp;/g, '&')
    .replace(/&#x2F;/gi, '/')
    .replace(/&quot;/g, '"');
}

async function signInAtProvider(authorizationUrl: string, login: string, callback: string): Promise<URL> {
  const browser = new ProviderBrowser();
  let url = authorizationUrl;
  let response = await browser.request(url);
  for (let step = 0; step < 20; step += 1) {
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url);
      if (next.href.startsWith(callback)) return next;
      url = next.href;
      response = await browser.request(url);
      continue;
    }
    const html = await response.text();
    if (response.status !== 200)
      throw new Error(`Provider answered ${String(response.status)}: ${html.slice(0, 500)}`);
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([a-z]+)"/.exec(html)?.[1];
    if (!action || !prompt) throw new Error(`No interaction form at ${url}`);
    url = new URL(decodeHtml(action), url).href;
    const form: Record<string, string> =
      prompt === 'login' ? { prompt, login, password: 'any password' } : { prompt };
    response = await browser.request(url, { method: 'POST', form });
  }
  throw new Error('Too many steps at the provider');
}
