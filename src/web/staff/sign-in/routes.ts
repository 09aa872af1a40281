import type { FastifyInstance } from 'fastify';
import { endSession } from '../../../platform/auth/sessions.ts';
import {
  completeSecondFactor,
  newSealedTotpSecret,
  signInWithPassword,
} from '../../../platform/auth/sign-in.ts';
import { enrolmentQr } from '../../../platform/auth/totp.ts';
import { recordAudit } from '../../../platform/audit/audit.ts';
import type { Deps } from '../../../platform/deps.ts';
import { setPendingTotpSecret } from '../../../platform/auth/sessions.ts';
import { field, formErrors } from '../../forms.ts';
import { clearSessionCookie, setSessionCookie, type CookieNames } from '../../plugins/session.ts';

const REFUSED = 'Enter a correct email address and password';
const THROTTLED = 'You have tried to sign in too many times. Wait 15 minutes, then try again';

export async function signInRoutes(
  app: FastifyInstance,
  options: { deps: Deps; names: CookieNames },
): Promise<void> {
  const { deps, names } = options;
  const secure = deps.config.cookieSecure;

  app.get('/sign-in', { config: { access: 'public' } }, async (request, reply) => {
    if (request.session?.stage === 'full') return reply.redirect('/', 303);
    return reply.view('pages/sign-in.njk', { values: {}, oidc: deps.config.oidc });
  });

  app.post(
    '/sign-in',
    { config: { access: 'public', rateLimit: { max: 60, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const email = field(request.body, 'email', 254).trim();
      const password = field(request.body, 'password', 1000);
      const errors = [];
      if (!email) errors.push({ field: 'email', message: 'Enter your email address' });
      if (!password) errors.push({ field: 'password', message: 'Enter your password' });
      if (errors.length === 0) {
        const result = await signInWithPassword(deps, { email, password, requestId: request.id });
        if (result.kind === 'second-factor') {
          if (request.session) await endSession(deps, request.session.idHash);
          setSessionCookie(reply, names, secure, result.token);
          return reply.redirect('/sign-in/second-factor', 303);
        }
        errors.push({ field: 'email', message: result.kind === 'throttled' ? THROTTLED : REFUSED });
      }
      reply.code(400);
      return reply.view('pages/sign-in.njk', {
        values: { email },
        errors: formErrors(errors),
        oidc: deps.config.oidc,
      });
    },
  );

  app.get('/sign-in/second-factor', { config: { access: 'second-factor' } }, async (request, reply) => {
    return reply.view(
      'pages/second-factor.njk',
      await secondFactorContext(request.session?.idHash, request.session?.userId),
    );
  });

  /** For a user who has not enrolled, a new secret is made and held on the half-session. */
  async function secondFactorContext(idHash: string | undefined, userId: string | undefined) {
    if (!idHash || !userId) return {};
    const user = await deps.db
      .selectFrom('users')
      .select(['email', 'totp_secret'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!user || user.totp_secret) return { enrolling: false };
    const session = await deps.db
      .selectFrom('sessions')
      .select('pending_totp_secret')
      .where('id_hash', '=', idHash)
      .executeTakeFirst();
    let plain: string;
    if (session?.pending_totp_secret) {
      plain = deps.secrets.open(session.pending_totp_secret);
    } else {
      const fresh = newSealedTotpSecret(deps);
      await setPendingTotpSecret(deps, idHash, fresh.sealed);
      plain = fresh.plain;
    }
    const qr = await enrolmentQr(plain, user.email);
    return { enrolling: true, qrSvg: qr.svg, secret: plain.replace(/(.{4})/g, '$1 ').trim() };
  }

  app.post(
    '/sign-in/second-factor',
    { config: { access: 'second-factor', rateLimit: { max: 30, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const session = request.session;
      if (!session) return reply.redirect('/sign-in', 303);
      const code = field(request.body, 'code', 20).replace(/\s+/g, '');
      let message = 'Enter the 6-digit code from your authenticator app';
      if (/^\d{6}$/.test(code)) {
        const result = await completeSecondFactor(deps, session, { code, requestId: request.id });
        if (result.kind === 'signed-in') {
          setSessionCookie(reply, names, secure, result.token);
          return reply.redirect('/', 303);
        }
        if (result.kind === 'throttled') {
          clearSessionCookie(reply, names, secure);
          reply.code(429);
          return reply.view('pages/sign-in.njk', {
            values: {},
            errors: formErrors([{ field: 'email', message: THROTTLED }]),
            oidc: deps.config.oidc,
          });
        }
        message =
          'The code is not correct or has already been used. Enter the latest code from your authenticator app';
      }
      reply.code(400);
      return reply.view('pages/second-factor.njk', {
        ...(await secondFactorContext(session.idHash, session.userId)),
        errors: formErrors([{ field: 'code', message }]),
      });
    },
  );

  app.post('/sign-out', { config: { access: 'public' } }, async (request, reply) => {
    const session = request.session;
    if (session) {
      await endSession(deps, session.idHash);
      await recordAudit(deps.db, {
        actorUserId: session.userId,
        action: 'auth.signed_out',
        entityType: 'user',
        entityId: session.userId,
        requestId: request.id,
      });
    }
    clearSessionCookie(reply, names, secure);
    return reply.redirect('/signed-out', 303);
  });

  app.get('/signed-out', { config: { access: 'public' } }, async (_request, reply) =>
    reply.view('pages/signed-out.njk'),
  );
}
