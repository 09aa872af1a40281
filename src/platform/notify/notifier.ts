/**
 * Messages to families: one-time sign-in codes by email or text message. Every sender takes the same
 * message; which one runs is chosen by NOTIFY_SENDER (see makeNotifier). Senders never log the
 * address, the number or the message: a failure is reported by its kind only.
 */
export type Message = {
  readonly to: string;
  readonly kind: 'email' | 'sms';
  readonly subject: string;
  readonly body: string;
};

export type Notifier = {
  /** Which sender this is, for the sign-in page (e.g. no text messages by SMTP). */
  readonly name: 'smtp' | 'notify' | 'outbox' | 'none';
  /** Whether this sender can send text messages as well as emails. */
  readonly canText: boolean;
  send(message: Message): Promise<void>;
};

/** A message could not be sent. The message says why in general terms; it never holds the address. */
export class NotifyError extends Error {
  constructor(reason: string) {
    super(`The message could not be sent: ${reason}`);
    this.name = 'NotifyError';
  }
}

/** No sender configured: every send fails, so a sign-in code is never silently lost. */
export const noNotifier: Notifier = {
  name: 'none',
  canText: false,
  send: () => Promise.reject(new NotifyError('no sender is configured (NOTIFY_SENDER)')),
};
