import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { demoAccount } from './support/accounts.ts';
import type { HearthServer } from './support/server.ts';
import { browserSuite } from './support/suite.ts';

/**
 * The family portal in a browser: a practitioner invites a child's father to the portal from the
 * child's record; the father asks for a code, signs in with it, finds his child on the home page and
 * sees the practitioner's visit in "Who has looked at the record" (by role and team). Every page is
 * checked with axe-core; the portal runs no script at all, so it is driven with JavaScript off.
 *
 * The demo server runs in development, where messages go to the outbox folder in its data folder
 * (NOTIFY_SENDER=outbox): the code is read from there.
 */
const FATHER_EMAIL = 'marcus.journey@example.com';

async function codeFromOutbox(server: HearthServer, to: string, after: number): Promise<string> {
  const dataDir = (server as HearthServer & { dataDir?: string }).dataDir;
  if (!dataDir) throw new Error('The test server does not say where its data folder is');
  const outbox = join(dataDir, 'outbox');
  for (let i = 0; i < 200; i += 1) {
    const files = await readdir(outbox).catch(() => [] as string[]);
    const texts = await Promise.all(files.sort().map((f) => readFile(join(outbox, f), 'utf8')));
    const mine = texts.filter((t) => t.startsWith(`To: ${to}\n`)).slice(after);
    const code = mine.map((t) => /family portal is (\d{6})/.exec(t)?.[1]).find(Boolean);
    if (code) return code;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('No sign-in code arrived in the outbox');
}

describe('family portal journey in a browser', () => {
  const suite = browserSuite();

  test('a worker invites a parent, who signs in with a code and sees who has looked at the record', async () => {
    const { server } = suite.ready();
    const worker = await suite.open({ javaScriptEnabled: false });
    const parent = await suite.open({ javaScriptEnabled: false });
    try {
      await worker.signIn(demoAccount('practitioner'));
      await worker.clickLink('Children', worker.page.getByRole('navigation', { name: 'Menu' }));
      await worker.verifyOnPage({ title: 'Children' });
      await worker.clickLink('Amara Bennett');
      await worker.verifyOnPage({ title: 'Amara Bennett' });
      const recordPath = worker.path();

      await worker.clickLink('Family portal: who in the family can see this record');
      expect(worker.path()).toBe(`${recordPath}/family-portal`);
      await worker.verifyOnPage({ title: 'Family portal' });
      await worker.page.getByLabel('Marcus Bennett', { exact: true }).check();
      await worker.field('Email address').fill(FATHER_EMAIL);
      await worker.clickButton('Send invitation');
      expect(worker.path()).toBe(`${recordPath}/family-portal?invited=1`);
      await worker.verifyOnPage({ title: 'Family portal' });
      await expect(worker.page.locator('main').innerText()).resolves.toContain('Invited – not signed in yet');

      await parent.goto('/family');
      expect(parent.path()).toBe('/family/sign-in');
      await parent.verifyOnPage({
        title: 'Sign in – Family portal',
        heading: 'Sign in to the family portal',
      });
      await parent.field('Email address or mobile number').fill(FATHER_EMAIL);
      await parent.clickButton('Send me a code');
      expect(parent.path()).toBe('/family/sign-in/code');
      await parent.verifyOnPage({ title: 'Enter your code – Family portal', heading: 'Check your messages' });
      await parent.field('Code').fill(await codeFromOutbox(server, FATHER_EMAIL, 0));
      await parent.clickButton('Sign in');
      expect(parent.path()).toBe('/family');
      await parent.verifyOnPage({ title: 'Home – Family portal', heading: 'Hello, Marcus Bennett' });
      const main = await parent.page.locator('main').innerText();
      expect(main).toContain('Amara Bennett');
      expect(main).not.toContain('Leo Bennett');

      await parent.clickLink('Who has looked at the record');
      expect(parent.path()).toMatch(/^\/family\/children\/[0-9a-f-]{36}\/who-has-looked$/);
      await parent.verifyOnPage({
        title: 'Who has looked at the record – Family portal',
        heading: 'Who has looked at the record',
      });
      const rows = await parent.tableRows();
      expect(rows).toEqual(
        expect.arrayContaining([[expect.any(String), 'Practitioner', 'North family help team']]),
      );
      const page = await parent.page.locator('main').innerText();
      expect(page).not.toContain(demoAccount('practitioner').name);

      await parent.clickLink('Help and advice', parent.page.getByRole('navigation', { name: 'Menu' }));
      await parent.verifyOnPage({ title: 'Help and advice – Family portal', heading: 'Help and advice' });
      await parent.clickButton('Sign out');
      expect(parent.path()).toBe('/family/signed-out');
      await parent.verifyOnPage({
        title: 'You have signed out – Family portal',
        heading: 'You have signed out',
      });

      await worker.goto(`${recordPath}/family-portal`);
      await worker.verifyOnPage({ title: 'Family portal' });
      await expect(worker.page.locator('main').innerText()).resolves.toContain('Signed in first on');
      worker.expectEveryPageChecked();
      parent.expectEveryPageChecked();
      expect(parent.consoleErrors).toEqual([]);
    } finally {
      await worker.close();
      await parent.close();
    }
  }, 240_000);
});
