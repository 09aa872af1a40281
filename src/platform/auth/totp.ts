import { generateSecret, generateSync, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

export const TOTP_PERIOD = 30;

export function newTotpSecret(): string {
  return generateSecret();
}

/** The current code for a secret (used by the demo helper and tests). */
export function totpCode(secret: string, at: Date = new Date()): string {
  return generateSync({ secret, epoch: Math.floor(at.getTime() / 1000) });
}

/**
 * Checks a code, allowing one period of clock drift either way. Returns the time step it belongs to,
 * or undefined. The caller refuses a step at or before the last one used, so a code works only once.
 */
export async function checkTotp(secret: string, code: string, at: Date): Promise<number | undefined> {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const result = await verify({ secret, token, epoch: Math.floor(at.getTime() / 1000), epochTolerance: TOTP_PERIOD });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

/** An otpauth:// URI and an SVG QR code of it, for enrolment. */
export async function enrolmentQr(secret: string, accountLabel: string): Promise<{ uri: string; svg: string }> {
  const uri = generateURI({ issuer: 'Hearth', label: accountLabel, secret });
  const svg = await QRCode.toString(uri, { type: 'svg', margin: 1, width: 200 });
  return { uri, svg };
}
