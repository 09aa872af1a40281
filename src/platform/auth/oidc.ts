import { createHash, createPublicKey } from 'node:crypto';
import * as client from 'openid-client';
import { z } from 'zod';
import { recordAudit } from '../audit/audit.ts';
import { OIDC_KEY_CURVES, type Oidc, type OidcPrivateKey } from '../config.ts';
import type { Deps } from '../deps.ts';
import { createSession } from './sessions.ts';

/**
 * Sign-in through a council's own identity provider (OpenID Connect, authorization code flow with
 * PKCE). The provider is trusted for both factors, so a successful sign-in gets a full session.
 * Nobody is created here: the provider only proves who someone is, and the account must already
 * exist in Hearth (found by its stored subject, or once by verified email, which then stores it).
 */

/** How long someone has to finish signing in at their provider. */
export const OIDC_FLOW_MINUTES = 10;
const DEFAULT_SCOPE = 'openid email profile';

/** The provider could not be reached or described itself wrongly (discovery failed). */
export class OidcUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The identity provider is unavailable', { cause });
    this.name = 'OidcUnavailableError';
  }
}

/**
 * Plain http:// is allowed only for a provider on this machine (tests and local development).
 * Everything else must be https://, which openid-client enforces by default.
 */
export function allowsInsecureIssuer(issuer: string): boolean {
  const url = new URL(issuer);
  return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost');
}

/**
 * The private key as WebCrypto wants it for openid-client's PrivateKeyJwt: RSA signs RS256, EC signs
 * ES256, ES384 or ES512 by its curve. Not extractable, and used only to sign.
 */
export async function importClientKey(privateKey: OidcPrivateKey): Promise<client.PrivateKey> {
  const { key, keyId } = privateKey;
  const curve = OIDC_KEY_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
  const algorithm =
    key.asymmetricKeyType === 'rsa'
      ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
      : { name: 'ECDSA', namedCurve: curve ?? 'unsupported curve' };
  const der = key.export({ format: 'der', type: 'pkcs8' });
  const imported = await crypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign']);
  return keyId === undefined ? { key: imported } : { key: imported, kid: keyId };
}

/** How Hearth authenticates at the token endpoint: a signed JWT when it has a key, else the secret. */
async function clientAuthentication(oidc: Oidc): Promise<client.ClientAuth> {
  if (oidc.privateKey) return client.PrivateKeyJwt(await importClientKey(oidc.privateKey));
  return oidc.clientSecret ? client.ClientSecretBasic(oidc.clientSecret) : client.None();
}

/** Tells keys apart in the cache by their public half, so no private material is kept in a map key. */
function keyFingerprint(privateKey: OidcPrivateKey | undefined): string | null {
  if (!privateKey) return null;
  const spki = createPublicKey(privateKey.key).export({ format: 'der', type: 'spki' });
  return `${createHash('sha256').update(spki).digest('base64url')}|${privateKey.keyId ?? ''}`;
}

/** Discovered configurations, one per provider and client, kept for the life of the process. */
const discovered = new Map<string, Promise<client.Configuration>>();

export async function oidcConfiguration(oidc: Oidc): Promise<client.Configuration> {
  const key = JSON.stringify([
    oidc.issuer,
    oidc.clientId,
    oidc.clientSecret ?? null,
    keyFingerprint(oidc.privateKey),
  ]);
  let pending = discovered.get(key);
  if (!pending) {
    pending = (async () =>
      client.discovery(new URL(oidc.issuer), oidc.clientId, undefined, await clientAuthentication(oidc), {
        timeout: 10,
        // Deprecated only as a warning sign; allowed solely for a provider on this machine.
        // eslint-disable-next-line @typescript-eslint/no-deprecated
        ...(allowsInsecureIssuer(oidc.issuer) ? { execute: [client.allowInsecureRequests] } : {}),
      }))();
    discovered.set(key, pending);
    // A failed discovery is not cached: the next sign-in tries again.
    pending.catch(() => discovered.delete(key));
  }
  try {
    return await pending;
  } catch (error) {
    throw new OidcUnavailableError(error);
  }
}

/** What the flow cookie carries between the redirect out and the callback (sealed: secret and tamper-proof). */
const flowSchema = z.object({
  purpose: z.literal('oidc-flow'),
  state: z.string().min(1),
  nonce: z.string().min(1),
  verifier: z.string().min(43),
  /** The callback this flow was begun for: a staff flow cookie cannot finish a portal sign-in, nor the reverse. */
  redirectUrl: z.string(),
  expiresAt: z.number(),
});
type Flow = z.infer<typeof flowSchema>;

export type OidcStart = { readonly url: string; readonly cookie: string };

/** Starts a sign-in: a fresh state, nonce and PKCE verifier, and the provider's URL to send the browser to. */
export async function beginOidcSignIn(deps: Deps, oidc: Oidc): Promise<OidcStart> {
  const config = await oidcConfiguration(oidc);
  const flow: Flow = {
    purpose: 'oidc-flow',
    state: client.randomState(),
    nonce: client.randomNonce(),
    verifier: client.randomPKCECodeVerifier(),
    redirectUrl: oidc.redirectUrl,
    expiresAt: deps.clock.now().getTime() + OIDC_FLOW_MINUTES * 60_000,
  };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: oidc.redirectUrl,
    response_type: 'code',
    scope: oidc.scope ?? DEFAULT_SCOPE,
    state: flow.state,
    nonce: flow.nonce,
    code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
    code_challenge_method: 'S256',
    // GOV.UK One Login's level of authentication, as a JSON array: vtr=["Cl.Cm"].
    ...(oidc.vtr ? { vtr: JSON.stringify(oidc.vtr) } : {}),
  });
  return { url: url.href, cookie: deps.secrets.seal(JSON.stringify(flow)) };
}

function openFlow(deps: Deps, oidc: Oidc, cookie: string | undefined): Flow | undefined {
  if (!cookie || cookie.length > 2000) return undefined;
  try {
    const parsed = flowSchema.safeParse(JSON.parse(deps.secrets.open(cookie)));
    if (!parsed.success || parsed.data.expiresAt <= deps.clock.now().getTime()) return undefined;
    if (parsed.data.redirectUrl !== oidc.redirectUrl) return undefined;
    return parsed.data;
  } catch {
    return undefined;
  }
}

export type OidcSignInResult =
  | { readonly kind: 'signed-in'; readonly token: string; readonly userId: string }
  /** The provider vouched for someone Hearth will not let in: unknown, disabled, or email not verified. */
  | { readonly kind: 'refused'; readonly reason: string }
  /** The flow itself failed: no or expired flow cookie, wrong state, an error from the provider, a bad token. */
  | { readonly kind: 'failed'; readonly reason: string };

export type OidcIdentity = {
  /** The provider's subject, qualified by its issuer (`issuer|sub`). */
  readonly subject: string;
  /** The verified email, from the ID token or, if it has none, from the UserInfo endpoint. */
  readonly email: () => Promise<string | undefined>;
};

/** Exchanges the code and checks the ID token (signature, issuer, audience, expiry, nonce) and the PKCE verifier. */
async function identify(
  config: client.Configuration,
  oidc: Oidc,
  flow: Flow,
  query: string,
): Promise<OidcIdentity | { readonly failed: string }> {
  const callbackUrl = new URL(oidc.redirectUrl);
  callbackUrl.search = query;
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
  } catch (error) {
    return { failed: describe(error) };
  }
  const claims = tokens.claims();
  if (!claims) return { failed: 'no ID token' };
  const { sub } = claims;
  const accessToken = tokens.access_token;
  return {
    subject: `${claims.iss}|${sub}`,
    email: async () => {
      // Providers often return email claims only from UserInfo when an access token is issued.
      if (typeof claims.email === 'string' || !config.serverMetadata().userinfo_endpoint)
        return verifiedEmail(claims);
      return verifiedEmail(await client.fetchUserInfo(config, accessToken, sub));
    },
  };
}

function verifiedEmail(claims: Record<string, unknown>): string | undefined {
  const email = claims['email'];
  if (typeof email !== 'string' || claims['email_verified'] !== true) return undefined;
  const normalised = email.trim().toLowerCase();
  return normalised.length > 0 && normalised.length <= 254 ? normalised : undefined;
}

/** A short reason for the log: the library's code and message, the provider's error, and the cause. */
export function describe(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const parts: string[] = [];
  const { code, error: oauthError, cause } = error as { code?: unknown; error?: unknown; cause?: unknown };
  if (typeof code === 'string') parts.push(code);
  if (typeof oauthError === 'string') parts.push(oauthError);
  parts.push(error.message);
  if (cause instanceof Error) parts.push(cause.message);
  return parts.join(': ');
}

/**
 * Checks a callback against its flow cookie (state, nonce, PKCE, the ID token) and says who the
 * provider vouched for. Shared by staff sign-in and the family portal, which each decide whom that is.
 */
export async function verifyOidcCallback(
  deps: Deps,
  oidc: Oidc,
  input: { readonly query: string; readonly cookie: string | undefined },
): Promise<OidcIdentity | { readonly failed: string }> {
  const flow = openFlow(deps, oidc, input.cookie);
  if (!flow) return { failed: 'no valid flow cookie' };
  const config = await oidcConfiguration(oidc);
  return identify(config, oidc, flow, input.query);
}

/**
 * Finishes a sign-in at the callback. A user is found by their stored, issuer-qualified subject; if
 * none has it, by the provider's verified email (case-insensitive) among users not yet linked, and the
 * subject is then stored. Unknown and disabled users get the same answer; nothing is ever created
 * except, on success, the session.
 */
export async function completeOidcSignIn(
  deps: Deps,
  oidc: Oidc,
  input: { readonly query: string; readonly cookie: string | undefined; readonly requestId: string },
): Promise<OidcSignInResult> {
  const identity = await verifyOidcCallback(deps, oidc, input);
  if ('failed' in identity) return { kind: 'failed', reason: identity.failed };

  const columns = ['id', 'disabled_at', 'oidc_subject'] as const;
  let user = await deps.db
    .selectFrom('users')
    .select(columns)
    .where('oidc_subject', '=', identity.subject)
    .executeTakeFirst();
  if (!user) {
    let email: string | undefined;
    try {
      email = await identity.email();
    } catch (error) {
      return { kind: 'failed', reason: `userinfo: ${describe(error)}` };
    }
    if (email !== undefined) {
      const lowered = email;
      user = await deps.db
        .selectFrom('users')
        .select(columns)
        .where((eb) => eb(eb.fn('lower', ['email']), '=', lowered))
        .where('oidc_subject', 'is', null)
        .executeTakeFirst();
    }
  }
  if (!user || user.disabled_at !== null) {
    await recordAudit(deps.db, {
      actorUserId: user?.id ?? null,
      action: 'auth.sign_in_oidc_refused',
      entityType: 'user',
      entityId: user?.id ?? null,
      detail: { reason: user ? 'disabled' : 'unknown' },
      requestId: input.requestId,
    });
    return { kind: 'refused', reason: user ? 'disabled' : 'unknown' };
  }

  const found = user;
  const linking = found.oidc_subject === null;
  const token = await deps.db.transaction().execute(async (trx) => {
    if (linking) {
      const linked = await trx
        .updateTable('users')
        .set((eb) => ({
          oidc_subject: identity.subject,
          version: eb('version', '+', 1),
          updated_at: deps.clock.now(),
        }))
        .where('id', '=', found.id)
        .where('oidc_subject', 'is', null)
        .executeTakeFirst();
      if (Number(linked.numUpdatedRows) !== 1) return undefined;
    }
    const fresh = await createSession({ ...deps, db: trx }, found.id, 'full');
    await recordAudit(trx, {
      actorUserId: found.id,
      action: 'auth.signed_in_oidc',
      entityType: 'user',
      entityId: found.id,
      detail: { linked: linking },
      requestId: input.requestId,
    });
    return fresh;
  });
  if (token === undefined) return { kind: 'refused', reason: 'linked concurrently' };
  return { kind: 'signed-in', token, userId: found.id };
}
