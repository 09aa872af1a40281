import nodemailer from 'nodemailer';
import { NotifyError, type Notifier } from './notifier.ts';

/** Email through an SMTP server (SMTP_URL, e.g. smtp://127.0.0.1:1025 in development). No text messages. */
export function smtpNotifier(options: { url: string; from: string }): Notifier {
  const transport = nodemailer.createTransport(options.url);
  return {
    name: 'smtp',
    canText: false,
    async send(message) {
      if (message.kind !== 'email') throw new NotifyError('SMTP sends email only');
      try {
        await transport.sendMail({
          from: options.from,
          to: message.to,
          subject: message.subject,
          text: message.body,
        });
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        throw new NotifyError(`SMTP ${typeof code === 'string' ? code : 'error'}`);
      }
    },
  };
}
