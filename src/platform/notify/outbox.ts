import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Notifier } from './notifier.ts';

/**
 * Development and demos: each message is written to its own file in the outbox folder
 * (HEARTH_DATA_DIR/outbox), readable by the person running Hearth and never written to the log.
 * Refused in production by the configuration.
 */
export function outboxNotifier(dir: string, now: () => Date = () => new Date()): Notifier {
  return {
    name: 'outbox',
    canText: true,
    async send(message) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const stamp = now().toISOString().replace(/[:.]/g, '-');
      const file = join(dir, `${stamp}-${message.kind}-${randomBytes(4).toString('hex')}.txt`);
      const text = [
        `To: ${message.to}`,
        `Kind: ${message.kind}`,
        `Subject: ${message.subject}`,
        '',
        message.body,
        '',
      ].join('\n');
      await writeFile(file, text, { mode: 0o600, flag: 'wx' });
    },
  };
}
