import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message as the sink received it: the envelope recipients and the raw text (headers and body). */
export type SunkMessage = { readonly to: readonly string[]; readonly raw: string };

export type SmtpSink = {
  /** smtp://127.0.0.1:<port>, for SMTP_URL. */
  readonly url: string;
  readonly messages: readonly SunkMessage[];
  /** The first message to this address after `from` messages, waiting up to `timeoutMs` for it. */
  waitFor(to: string, options?: { after?: number; timeoutMs?: number }): Promise<SunkMessage>;
  close(): Promise<void>;
};

/**
 * A small SMTP server for tests, on a free port of 127.0.0.1: accepts every message without
 * authentication or TLS and keeps it in memory.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SunkMessage[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${String(port)}`,
    messages,
    async waitFor(to, options = {}) {
      const deadline = Date.now() + (options.timeoutMs ?? 10_000);
      const address = to.toLowerCase();
      for (;;) {
        const found = messages.slice(options.after ?? 0).find((m) => m.to.includes(address));
        if (found) return found;
        if (Date.now() > deadline) throw new Error('No message arrived at the SMTP sink');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The 6-digit sign-in code in a message from the portal. */
export function codeIn(message: SunkMessage): string {
  const match = /family portal is (\d{6})/.exec(message.raw);
  if (!match?.[1]) throw new Error('No sign-in code in the message');
  return match[1];
}
