import type { FastifyReply } from 'fastify';

/** The portal's own cookies: never the staff ones. `__Host-` when cookies are secure (HTTPS). */
export type FamilyCookieNames = {
  readonly session: string;
  readonly pre: string;
  readonly pending: string;
  /** The sealed state, nonce and PKCE verifier while a family signs in at GOV.UK One Login or the council's provider. */
  readonly oidc: string;
};

export function familyCookieNames(secure: boolean): FamilyCookieNames {
  const prefix = secure ? '__Host-' : '';
  return {
    session: `${prefix}hearth-family`,
    pre: `${prefix}hearth-family-pre`,
    pending: `${prefix}hearth-family-code`,
    oidc: `${prefix}hearth-family-oidc`,
  };
}

export function familyCookieOptions(secure: boolean) {
  return { path: '/', httpOnly: true, sameSite: 'lax', secure } as const;
}

export function setFamilyCookie(
  reply: FastifyReply,
  name: string,
  value: string,
  secure: boolean,
  maxAgeSeconds?: number,
): void {
  reply.setCookie(name, value, {
    ...familyCookieOptions(secure),
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
  });
}

export function clearFamilyCookie(reply: FastifyReply, name: string, secure: boolean): void {
  reply.clearCookie(name, familyCookieOptions(secure));
}
