import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../../../platform/audit/audit.ts';
import type { Deps } from '../../../platform/deps.ts';
import type { Notifier } from '../../../platform/notify/index.ts';
import { endFamilySession } from '../../../modules/portal/sessions.ts';
import {
  CODE_ATTEMPTS,
  CODE_MINUTES,
  checkSignInCode,
  normaliseContact,
  requestSignInCode,
} from '../../../modules/portal/sign-in.ts';
import { field, formErrors } from '../../forms.ts';
import { clearFamilyCookie, setFamilyCookie, type FamilyCookieNames } from '../cookies.ts';

/**
 * Signing in to the portal: an email address or mobile number, then the 6-digit code sent to it.
 * Between the two steps a sealed, short-lived cookie carries which code to check and how many tries
 * are left; it is kept the same way whether or not a code was sent, so the pages never reveal
 * whether someone has an account.
 */
const pendingSchema = z.object({
  purpose: z.literal('family-code'),
  codeId: z.string().nullable(),
  attempts: z.number().int().min(0),
  expiresAt: z.number(),
});
type Pending = z.infer<typeof pendingSchema>;

export async function signInRoutes(
  app: FastifyInstance,
  options: { deps: Deps; names: FamilyCookieNames; notifier: Notifier },
): Promise<void> {
  const { deps, names, notifier } = options;
  const secure = deps.config.cookieSecure;
  const canText = notifier.canText;
  const available = notifier.name !== 'none';

  function readPending(cookie: string | undefined): Pending | undefined {
    if (!cookie || cookie.length > 1000) return undefined;
    try {
      const parsed = pendingSchema.safeParse(JSON.parse(deps.secrets.open(cookie)));
      if (!parsed.success || parsed.data.expiresAt <= deps.clock.now().getTime()) return undefined;
      return parsed.data;
    } catch {
      return undefined;
    }
  }

  function writePending(reply: FastifyReply, pending: Pending): void {
    setFamilyCookie(
      reply,
      names.pending,
      deps.secrets.seal(JSON.stringify(pending)),
      secure,
      CODE_MINUTES * 60,
    );
  }

  const signInPage = (reply: FastifyReply, context: Record<string, unknown> = {}) =>
    reply.portalView('portal/sign-in.njk', {
      canText,
      available,
      oidcLabel: deps.config.portal.oidc?.label,
      values: {},
      ...context,
    });

  app.get('/sign-in', { config: { access: 'public' } }, async (request, reply) => {
    if (request.familyActor) return reply.redirect('/family', 303);
    return signInPage(reply);
  });

  app.post(
    '/sign-in',
    { config: { access: 'public', rateLimit: { max: 60, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const typed = field(request.body, 'contact', 300);
      const contact = normaliseContact(typed);
      if (!contact || (contact.kind === 'sms' && !canText)) {
        const message = canText
          ? 'Enter your email address or mobile phone number, like name@example.com or 07700 900 982'
          : 'Enter your email address, like name@example.com';
        reply.code(400);
        return signInPage(reply, {
          values: { contact: typed },
          errors: formErrors([{ field: 'contact', message }]),
        });
      }
      const sent = await requestSignInCode(deps, notifier, { contact, requestId: request.id });
      // Not awaited: the answer comes as fast whether or not a message goes (and says the same).
      sent.delivery.catch((error: unknown) => {
        request.log.warn(
          { reason: error instanceof Error ? error.message : 'unknown' },
          'sign-in code not sent',
        );
      });
      writePending(reply, {
        purpose: 'family-code',
        codeId: sent.codeId,
        attempts: 0,
        expiresAt: deps.clock.now().getTime() + CODE_MINUTES * 60_000,
      });
      return reply.redirect('/family/sign-in/code', 303);
    },
  );

  app.get('/sign-in/code', { config: { access: 'public' } }, async (request, reply) => {
    if (request.familyActor) return reply.redirect('/family', 303);
    if (!readPending(request.cookies[names.pending])) return reply.redirect('/family/sign-in', 303);
    return reply.portalView('portal/sign-in-code.njk', { minutes: CODE_MINUTES });
  });

  app.post(
    '/sign-in/code',
    { config: { access: 'public', rateLimit: { max: 60, timeWindow: '1 minute' } } },
    async (request, reply) => {
      const pending = readPending(request.cookies[names.pending]);
      if (!pending) return reply.redirect('/family/sign-in', 303);
      const code = field(request.body, 'code', 20).replace(/\s+/g, '');
      if (!/^\d{6}$/.test(code)) {
        reply.code(400);
        return reply.portalView('portal/sign-in-code.njk', {
          minutes: CODE_MINUTES,
          errors: formErrors([{ field: 'code', message: 'Enter the 6-digit code from the message' }]),
        });
      }
      const result =
        pending.attempts >= CODE_ATTEMPTS
          ? ({ kind: 'expired' } as const)
          : await checkSignInCode(deps, { codeId: pending.codeId, code, requestId: request.id });
      if (result.kind === 'signed-in') {
        if (request.familySession) await endFamilySession(deps, request.familySession.idHash);
        clearFamilyCookie(reply, names.pending, secure);
        setFamilyCookie(reply, names.session, result.token, secure);
        return reply.redirect('/family', 303);
      }
      const attempts = pending.attempts + 1;
      if (result.kind === 'expired' || attempts >= CODE_ATTEMPTS) {
        clearFamilyCookie(reply, names.pending, secure);
        reply.code(400);
        return reply.portalView('portal/sign-in-code-expired.njk');
      }
      writePending(reply, { ...pending, attempts });
      reply.code(400);
      return reply.portalView('portal/sign-in-code.njk', {
        minutes: CODE_MINUTES,
        errors: formErrors([
          { field: 'code', message: 'The code is not right. Check the message and try again' },
        ]),
      });
    },
  );

  app.post('/sign-out', { config: { access: 'public' } }, async (request, reply) => {
    const session = request.familySession;
    if (session) {
      await endFamilySession(deps, session.idHash);
      await recordAudit(deps.db, {
        actorUserId: null,
        action: 'portal.signed_out',
        entityType: 'family_account',
        entityId: session.accountId,
        requestId: request.id,
      });
    }
    clearFamilyCookie(reply, names.session, secure);
    return reply.redirect('/family/signed-out', 303);
  });

  app.get('/signed-out', { config: { access: 'public' } }, async (_request, reply) =>
    reply.portalView('portal/signed-out.njk'),
  );
}
