import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { makeNotifier } from './index.ts';

function problems(environment: Record<string, string>): readonly string[] {
  try {
    loadConfig(environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('choosing how messages to families are sent', () => {
  it('writes to the outbox in development, sends nothing by default elsewhere', () => {
    expect(loadConfig({}).notify).toEqual({ sender: 'outbox', dir: './data/outbox' });
    expect(loadConfig({ NODE_ENV: 'test' }).notify).toEqual({ sender: 'none' });
    expect(loadConfig({ HEARTH_DATA_DIR: '/srv/hearth/' }).notify).toEqual({
      sender: 'outbox',
      dir: '/srv/hearth/outbox',
    });
  });

  it('needs the settings of the sender chosen, and refuses the outbox in production', () => {
    expect(problems({ NOTIFY_SENDER: 'smtp' })).toEqual(['SMTP_URL is required when NOTIFY_SENDER=smtp']);
    expect(problems({ NOTIFY_SENDER: 'notify' })).toEqual([
      'NOTIFY_API_KEY and NOTIFY_EMAIL_TEMPLATE_ID are required when NOTIFY_SENDER=notify',
    ]);
    expect(
      problems({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://x/y',
        HEARTH_SECRET: 'a-production-secret-of-at-least-32-characters',
        NOTIFY_SENDER: 'outbox',
      }),
    ).toEqual(['NOTIFY_SENDER=outbox must not be used in production: it writes sign-in codes to files']);
    expect(
      problems({ NOTIFY_SENDER: 'notify', NOTIFY_API_KEY: 'not-a-key', NOTIFY_EMAIL_TEMPLATE_ID: 'x' }),
    ).toHaveLength(2);
    const notify = loadConfig({
      NOTIFY_SENDER: 'notify',
      NOTIFY_API_KEY: `live-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0`,
      NOTIFY_EMAIL_TEMPLATE_ID: 'f33517ff-2a88-4f6e-b855-c550268ce08a',
    }).notify;
    expect(notify).toMatchObject({ sender: 'notify', smsTemplateId: undefined });
    expect(makeNotifier(notify)).toMatchObject({ name: 'notify', canText: false });
  });

  it('with no sender, sending fails rather than losing the message silently', async () => {
    const notifier = makeNotifier({ sender: 'none' });
    await expect(
      notifier.send({ to: 'a@example.com', kind: 'email', subject: 's', body: 'b' }),
    ).rejects.toThrow('no sender is configured');
  });

  it('the outbox keeps each message in its own private file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hearth-outbox-'));
    try {
      const outbox = makeNotifier({ sender: 'outbox', dir: join(dir, 'outbox') });
      await outbox.send({ to: 'a@example.com', kind: 'email', subject: 'Code', body: 'Your code is 123456' });
      await outbox.send({ to: '+447700900123', kind: 'sms', subject: 'Code', body: '654321 is your code' });
      const files = await readdir(join(dir, 'outbox'));
      expect(files).toHaveLength(2);
      const texts = await Promise.all(files.map((f) => readFile(join(dir, 'outbox', f), 'utf8')));
      expect(texts.join('\n')).toContain(
        'To: a@example.com\nKind: email\nSubject: Code\n\nYour code is 123456',
      );
      expect(texts.join('\n')).toContain('To: +447700900123\nKind: sms');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
