import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildNotifyRequest, govukNotifyNotifier, notifyToken, parseNotifyApiKey } from './govuk-notify.ts';
import { NotifyError } from './notifier.ts';

const SERVICE = '26785a09-ab16-4eb0-8407-a37497a57506';
const SECRET = '3d844edf-8d35-48ac-975b-e847b4f122b0';
const SETTINGS = {
  apiKey: `hearth_test-${SERVICE}-${SECRET}`,
  emailTemplateId: 'f33517ff-2a88-4f6e-b855-c550268ce08a',
  smsTemplateId: 'a0c4f2b2-6f3e-4a0e-9a4b-1f2e3d4c5b6a',
  baseUrl: 'https://api.notifications.service.gov.uk/',
};
const NOW = new Date('2026-11-25T10:00:00Z');

function decode(part: string | undefined): unknown {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
}

describe('GOV.UK Notify', () => {
  it('reads the service id and secret key from the end of the API key (names may contain dashes)', () => {
    expect(parseNotifyApiKey(SETTINGS.apiKey)).toEqual({ serviceId: SERVICE, secretKey: SECRET });
    expect(() => parseNotifyApiKey('too-short')).toThrow(NotifyError);
  });

  it('signs a JWT with HS256 and the secret key: issuer the service id, issued at now', () => {
    const token = notifyToken(SETTINGS.apiKey, NOW);
    const [header, claims, signature] = token.split('.');
    expect(decode(header)).toEqual({ typ: 'JWT', alg: 'HS256' });
    expect(decode(claims)).toEqual({ iss: SERVICE, iat: NOW.getTime() / 1000 });
    const expected = createHmac('sha256', SECRET)
      .update(`${header ?? ''}.${claims ?? ''}`)
      .digest('base64url');
    expect(signature).toBe(expected);
    // Not signed with the whole key or the service id.
    expect(signature).not.toBe(
      createHmac('sha256', SETTINGS.apiKey)
        .update(`${header ?? ''}.${claims ?? ''}`)
        .digest('base64url'),
    );
  });

  it('builds the email request: endpoint, bearer token, template and personalisation', () => {
    const request = buildNotifyRequest(
      SETTINGS,
      { to: 'parent@example.com', kind: 'email', subject: 'Your sign-in code', body: 'Your code is 123456' },
      NOW,
    );
    expect(request.url).toBe('https://api.notifications.service.gov.uk/v2/notifications/email');
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['authorization']).toBe(`Bearer ${notifyToken(SETTINGS.apiKey, NOW)}`);
    expect(JSON.parse(request.body)).toEqual({
      email_address: 'parent@example.com',
      template_id: SETTINGS.emailTemplateId,
      personalisation: { subject: 'Your sign-in code', body: 'Your code is 123456' },
    });
  });

  it('builds the text message request, and refuses one without a text template', () => {
    const message = {
      to: '+447700900123',
      kind: 'sms',
      subject: 'Code',
      body: '123456 is your code',
    } as const;
    const request = buildNotifyRequest(SETTINGS, message, NOW);
    expect(request.url).toBe('https://api.notifications.service.gov.uk/v2/notifications/sms');
    expect(JSON.parse(request.body)).toEqual({
      phone_number: '+447700900123',
      template_id: SETTINGS.smsTemplateId,
      personalisation: { subject: 'Code', body: '123456 is your code' },
    });
    expect(() => buildNotifyRequest({ ...SETTINGS, smsTemplateId: undefined }, message, NOW)).toThrow(
      NotifyError,
    );
  });

  it('sends the request it builds, and reports a refusal by its status only', async () => {
    const seen: { url: string; init: RequestInit | undefined }[] = [];
    const answers = [
      new Response('{}', { status: 201 }),
      new Response('{"errors":[{"message":"parent@example.com is bad"}]}', { status: 400 }),
    ];
    const notifier = govukNotifyNotifier(SETTINGS, {
      now: () => NOW,
      fetch: (url, init) => {
        seen.push({ url: url instanceof Request ? url.url : url.toString(), init });
        return Promise.resolve(answers.shift() ?? new Response('', { status: 500 }));
      },
    });
    const message = { to: 'parent@example.com', kind: 'email', subject: 'S', body: 'B' } as const;
    await notifier.send(message);
    expect(seen[0]?.url).toBe('https://api.notifications.service.gov.uk/v2/notifications/email');
    expect(seen[0]?.init?.body).toBe(buildNotifyRequest(SETTINGS, message, NOW).body);
    const failure = await notifier.send(message).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NotifyError);
    expect((failure as Error).message).toContain('400');
    expect((failure as Error).message).not.toContain('parent@example.com');
  });
});
