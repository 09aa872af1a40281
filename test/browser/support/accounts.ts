import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../../../src/modules/demo/demo-seed.ts';
import { TOTP_PERIOD, totpCode } from '../../../src/platform/auth/totp.ts';

export { DEMO_PASSWORD };
export type DemoAccount = (typeof DEMO_ACCOUNTS)[number];

/** A demo account by the part of its email address before the @: practitioner, manager, south.practitioner, admin, analyst. */
export function demoAccount(
  name: 'practitioner' | 'manager' | 'south.practitioner' | 'admin' | 'analyst',
): DemoAccount {
  const account = DEMO_ACCOUNTS.find((a) => a.email === `${name}@demo.hearth.invalid`);
  if (!account) throw new Error(`No demo account ${name}`);
  return account;
}

const usedSteps = new Map<string, number>();

/**
 * The current code for a demo account. The server accepts a time step only once per account, so if
 * this test file has already used the current step for this secret, this waits for the next one.
 */
export async function freshTotpCode(secret: string): Promise<string> {
  for (;;) {
    const now = Date.now();
    const step = Math.floor(now / 1000 / TOTP_PERIOD);
    if (usedSteps.get(secret) !== step) {
      usedSteps.set(secret, step);
      return totpCode(secret, new Date(now));
    }
    await new Promise((resolve) => setTimeout(resolve, (step + 1) * TOTP_PERIOD * 1000 - now + 100));
  }
}
