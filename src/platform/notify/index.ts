import type { NotifyConfig } from '../config.ts';
import { govukNotifyNotifier } from './govuk-notify.ts';
import { noNotifier, type Notifier } from './notifier.ts';
import { outboxNotifier } from './outbox.ts';
import { smtpNotifier } from './smtp.ts';

export type { Message, Notifier } from './notifier.ts';
export { NotifyError } from './notifier.ts';

/** The sender chosen by the configuration (NOTIFY_SENDER=smtp|notify|outbox). */
export function makeNotifier(config: NotifyConfig): Notifier {
  switch (config.sender) {
    case 'smtp':
      return smtpNotifier({ url: config.smtpUrl, from: config.from });
    case 'notify':
      return govukNotifyNotifier(config);
    case 'outbox':
      return outboxNotifier(config.dir);
    case 'none':
      return noNotifier;
  }
}
