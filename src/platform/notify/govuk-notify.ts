import { createHmac } from 'node:crypto';
import { NotifyError, type Message, type Notifier } from './notifier.ts';

/**
 * GOV.UK Notify over its HTTP API. The API key is "<name>-<service id>-<secret key>"; each request
 * carries a JWT (HS256, signed with the secret key) whose issuer is the service id and whose issued-at
 * is now (Notify allows 30 seconds of clock skew). Messages use one email template and one text
 * template with ((subject)) and ((body)) placeholders.
 */
export type NotifySettings = {
  readonly apiKey: string;
  readonly emailTemplateId: string;
  readonly smsTemplateId: string | undefined;
  readonly baseUrl: string;
};

export type NotifyRequest = {
  readonly url: string;
  readonly method: 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
};

/** The service id and secret key from an API key (the last two 36-character UUIDs). */
export function parseNotifyApiKey(apiKey: string): { serviceId: string; secretKey: string } {
  const secretKey = apiKey.slice(-36);
  const serviceId = apiKey.slice(-73, -37);
  if (serviceId.length !== 36 || secretKey.length !== 36 || apiKey.at(-37) !== '-') {
    throw new NotifyError('the GOV.UK Notify API key is not in the expected form');
  }
  return { serviceId, secretKey };
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** A JWT for Notify: header {typ, alg HS256}, claims {iss: service id, iat: seconds}. */
export function notifyToken(apiKey: string, now: Date): string {
  const { serviceId, secretKey } = parseNotifyApiKey(apiKey);
  const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }));
  const claims = base64url(JSON.stringify({ iss: serviceId, iat: Math.floor(now.getTime() / 1000) }));
  const signature = createHmac('sha256', secretKey).update(`${header}.${claims}`).digest('base64url');
  return `${header}.${claims}.${signature}`;
}

/** Builds the HTTP request for one message (no network: the sender below sends it). */
export function buildNotifyRequest(settings: NotifySettings, message: Message, now: Date): NotifyRequest {
  const personalisation = { subject: message.subject, body: message.body };
  let path: string;
  let payload: Record<string, unknown>;
  if (message.kind === 'email') {
    path = '/v2/notifications/email';
    payload = { email_address: message.to, template_id: settings.emailTemplateId, personalisation };
  } else {
    if (!settings.smsTemplateId) throw new NotifyError('no text message template is configured');
    path = '/v2/notifications/sms';
    payload = { phone_number: message.to, template_id: settings.smsTemplateId, personalisation };
  }
  return {
    url: `${settings.baseUrl.replace(/\/+$/, '')}${path}`,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${notifyToken(settings.apiKey, now)}`,
      'user-agent': 'hearth-notify',
    },
    body: JSON.stringify(payload),
  };
}

export function govukNotifyNotifier(
  settings: NotifySettings,
  options: { now?: () => Date; fetch?: typeof fetch } = {},
): Notifier {
  const now = options.now ?? (() => new Date());
  const doFetch = options.fetch ?? fetch;
  return {
    name: 'notify',
    canText: settings.smsTemplateId !== undefined,
    async send(message) {
      const request = buildNotifyRequest(settings, message, now());
      let response: Response;
      try {
        response = await doFetch(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal: AbortSignal.timeout(10_000),
        });
      } catch {
        throw new NotifyError('GOV.UK Notify could not be reached');
      }
      // Notify's error body can echo the address: only the status is kept.
      if (!response.ok) throw new NotifyError(`GOV.UK Notify answered ${String(response.status)}`);
    },
  };
}
