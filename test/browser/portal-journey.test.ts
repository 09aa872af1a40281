import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { codeIn, startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { demoAccount } from './support/accounts.ts';
import type { HearthPage } from './support/hearth-page.ts';
import { browserSuite } from './support/suite.ts';

/**
 * The family portal in a browser, driven with JavaScript off (the portal runs no script at all), with
 * every page checked with axe-core:
 *
 * 1. A practitioner invites a child's father to the portal from the child's record. The father asks
 *    for a code, signs in with the code that reaches this test's SMTP sink, reads the plan and adds
 *    his view to it; the practitioner sees that view beside the plan on the staff plan page; the
 *    father sees the practitioner's visits in "Who has looked at the record" (by role and team).
 * 2. The father asks for the records; the practitioner puts the bundle together and removes some
 *    words with a reason; a manager (a second person) releases it; the father reads and downloads it,
 *    and the reason is in the download where the words were.
 *
 * The server sends messages by SMTP (NOTIFY_SENDER=smtp) to a small SMTP server the test starts.
 */
const FATHER_EMAIL = 'marcus.journey@example.com';
const FATHER_VIEW = 'I will do the school run on Mondays and Wednesdays. Please ask me to the next review.';
const REMOVED_WORDS = 'Jade has started talking therapy and says she is sleeping better.';
const REMOVAL_REASON = 'Information about someone else';

let sink: SmtpSink;
// Started before the suite's server (hooks run in the order they are declared), stopped after it.
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink.close();
});

/** Asks for a code on the portal's sign-in page and signs in with the one that reaches the SMTP sink. */
async function signInWithCode(parent: HearthPage): Promise<void> {
  await parent.goto('/family');
  expect(parent.path()).toBe('/family/sign-in');
  await parent.verifyOnPage({ title: 'Sign in – Family portal', heading: 'Sign in to the family portal' });
  const before = sink.messages.length;
  // SMTP sends email only, so the page asks for an email address (no mobile number).
  await parent.field('Email address').fill(FATHER_EMAIL);
  await parent.clickButton('Send me a code');
  expect(parent.path()).toBe('/family/sign-in/code');
  await parent.verifyOnPage({ title: 'Enter your code – Family portal', heading: 'Check your messages' });
  const message = await sink.waitFor(FATHER_EMAIL, { after: before, timeoutMs: 15_000 });
  await parent.field('Code').fill(codeIn(message));
  await parent.clickButton('Sign in');
  expect(parent.path()).toBe('/family');
  await parent.verifyOnPage({ title: 'Home – Family portal', heading: 'Hello, Marcus Bennett' });
}

describe('family portal journey in a browser', () => {
  const suite = browserSuite({ server: true, env: () => ({ NOTIFY_SENDER: 'smtp', SMTP_URL: sink.url }) });
  /** Amara Bennett's record (/children/<id>), found in the first test. */
  let recordPath = '';

  test('a worker invites a parent, who signs in with a code, adds his view to the plan and sees who has looked at the record', async () => {
    const worker = await suite.open({ javaScriptEnabled: false });
    const parent = await suite.open({ javaScriptEnabled: false });
    try {
      await worker.signIn(demoAccount('practitioner'));
      await worker.clickLink('Children', worker.page.getByRole('navigation', { name: 'Menu' }));
      await worker.verifyOnPage({ title: 'Children' });
      await worker.clickLink('Amara Bennett');
      await worker.verifyOnPage({ title: 'Amara Bennett' });
      recordPath = worker.path();

      await worker.clickLink('Family portal: who in the family can see this record');
      expect(worker.path()).toBe(`${recordPath}/family-portal`);
      await worker.verifyOnPage({ title: 'Family portal' });
      await worker.page.getByLabel('Marcus Bennett', { exact: true }).check();
      await worker.field('Email address').fill(FATHER_EMAIL);
      await worker.clickButton('Send invitation');
      expect(worker.path()).toBe(`${recordPath}/family-portal?invited=1`);
      await worker.verifyOnPage({ title: 'Family portal' });
      await expect(worker.page.locator('main').innerText()).resolves.toContain('Invited – not signed in yet');

      // First sign-in, with the code from the SMTP sink.
      await signInWithCode(parent);
      const main = await parent.page.locator('main').innerText();
      expect(main).toContain('Amara Bennett');
      expect(main).not.toContain('Leo Bennett');

      // The plan, then his view on it.
      await parent.clickLink('The plan');
      expect(parent.path()).toMatch(/^\/family\/children\/[0-9a-f-]{36}\/plan$/);
      await parent.verifyOnPage({ title: 'The plan – Family portal', heading: 'The plan' });
      const plan = await parent.page.locator('main').innerText();
      expect(plan).toContain('Child in need plan');
      expect(plan).toContain('Who does what');
      expect(plan).toContain('Amara gets to school on time every day');
      await parent.navigate(() =>
        parent.page
          .getByRole('link', {
            name: 'Give your view on the child in need plan, or tell us if something is wrong',
            exact: true,
          })
          .first()
          .click(),
      );
      const planId = /\/views\/plan\/([0-9a-f-]{36})$/.exec(parent.path())?.[1] ?? '';
      expect(planId).not.toBe('');
      await parent.verifyOnPage({
        title: 'Child in need plan – Family portal',
        heading: 'Child in need plan',
      });
      await parent.field('What do you think?').fill(FATHER_VIEW);
      await parent.clickButton('Save your view');
      expect(parent.path()).toMatch(/\?done=view$/);
      await parent.verifyOnPage({
        title: 'Child in need plan – Family portal',
        heading: 'Child in need plan',
      });
      await expect(parent.page.locator('main').innerText()).resolves.toContain('Your view has been saved');

      // The worker sees it beside the plan, in the father's words.
      await worker.goto(`${recordPath}/plans/${planId}`);
      await worker.verifyOnPage({ title: 'Child in need plan' });
      const beside = worker.page.getByTestId('family-portal-views').first();
      await expect(beside.innerText()).resolves.toContain(FATHER_VIEW);
      await expect(beside.innerText()).resolves.toMatch(/Marcus Bennett \(parent\)/);

      // Who has looked: the worker's visits to the record made earlier in this test, by role and team.
      await parent.clickLink('Home', parent.page.getByRole('navigation', { name: 'Menu' }));
      await parent.verifyOnPage({ title: 'Home – Family portal', heading: 'Hello, Marcus Bennett' });
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

  test('the parent asks for the records, staff remove words with a reason, a second person releases them, and the parent downloads them', async () => {
    expect(recordPath, 'the first test finds the record and invites the father').not.toBe('');
    const parent = await suite.open({ javaScriptEnabled: false });
    const worker = await suite.open({ javaScriptEnabled: false });
    const manager = await suite.open({ javaScriptEnabled: false });
    try {
      await signInWithCode(parent);
      await parent.clickLink('Ask for your records');
      await parent.verifyOnPage({
        title: 'Ask for your records – Family portal',
        heading: 'Ask for your records',
      });
      await parent.clickLink('Ask for records');
      await parent.verifyOnPage({ title: 'Ask for records – Family portal', heading: 'Ask for records' });
      await parent.field('What do you want to see?').fill('Everything you have written about Amara');
      await parent.clickButton('Send request');
      const requestPath = parent.path();
      const requestId = /\/records\/([0-9a-f-]{36})$/.exec(requestPath)?.[1] ?? '';
      expect(requestId).not.toBe('');
      await parent.verifyOnPage({
        title: 'Your request for records – Family portal',
        heading: 'Your request for records',
      });
      await expect(parent.page.locator('main').innerText()).resolves.toContain('We will tell you here');

      // The practitioner prepares the bundle and removes some words, with the reason the reader will see.
      await worker.signIn(demoAccount('practitioner'));
      await worker.goto('/records-requests');
      await worker.verifyOnPage({ title: 'Requests for records' });
      await worker.navigate(() => worker.page.locator(`a[href="/records-requests/${requestId}"]`).click());
      await worker.verifyOnPage({ title: 'Request for records' });
      await worker.clickButton('Put the bundle together');
      await worker.verifyOnPage({ title: 'Request for records' });
      const card = worker.page.locator('.govuk-summary-card', { hasText: REMOVED_WORDS }).first();
      await card.getByText('Remove something from this entry').click();
      await card.getByLabel('Some words', { exact: true }).check();
      await card.getByLabel('Words to remove (copy them exactly)', { exact: true }).fill(REMOVED_WORDS);
      await card.getByLabel(REMOVAL_REASON, { exact: true }).check();
      await worker.navigate(() => card.getByRole('button', { name: 'Remove', exact: true }).click());
      await worker.verifyOnPage({ title: 'Request for records' });
      await expect(worker.page.locator('main').innerText()).resolves.toContain(
        `Removed: “${REMOVED_WORDS}”. Reason: ${REMOVAL_REASON}`,
      );
      await worker.clickButton('Send for checking');
      await worker.verifyOnPage({ title: 'Request for records' });
      // Whoever prepared it cannot release it.
      await expect(worker.button('Approve and send to the family').count()).resolves.toBe(0);
      await expect(worker.page.locator('main').innerText()).resolves.toContain(
        'Waiting for a different member of staff to check and send it.',
      );

      // A manager checks and releases it.
      await manager.signIn(demoAccount('manager'));
      await manager.goto(`/records-requests/${requestId}`);
      await manager.verifyOnPage({ title: 'Request for records' });
      await manager.clickButton('Approve and send to the family');
      await manager.verifyOnPage({ title: 'Request for records' });
      await expect(manager.page.locator('main').innerText()).resolves.toContain('What the family received');

      // The parent reads the records in the portal and downloads them.
      await parent.goto(requestPath);
      await parent.verifyOnPage({ title: 'Your records – Family portal', heading: 'Your records' });
      const shown = await parent.page.locator('main').innerText();
      expect(shown).toContain(REMOVAL_REASON);
      expect(shown).not.toContain('talking therapy');
      const [download] = await Promise.all([
        parent.page.waitForEvent('download'),
        parent.link('Download as a web page').click(),
      ]);
      const file = await readFile(await download.path(), 'utf8');
      expect(file).toContain(REMOVAL_REASON);
      expect(file).toContain('Amara');
      expect(file).not.toContain('talking therapy');

      for (const page of [parent, worker, manager]) page.expectEveryPageChecked();
      expect(parent.consoleErrors).toEqual([]);
    } finally {
      await parent.close();
      await worker.close();
      await manager.close();
    }
  }, 240_000);
});
