import { describe, expect, test } from 'vitest';
import { totpCode } from '../../src/platform/auth/totp.ts';
import { DEMO_PASSWORD, demoAccount } from './support/accounts.ts';
import { browserSuite } from './support/suite.ts';

/**
 * The pages the two journeys do not reach: sign-in mistakes, an expired form, "page not found", and
 * break-glass access with its review by a manager. Each is checked like every other page (heading,
 * title, status and axe-core), with and without JavaScript.
 */
describe('error pages and break-glass access in a browser', () => {
  const suite = browserSuite();

  test('sign-in mistakes, an expired form and a missing page (JavaScript off)', async () => {
    const account = demoAccount('practitioner');
    const hearth = await suite.open({ javaScriptEnabled: false });
    const { page } = hearth;
    const summaryLinks = () => page.locator('.govuk-error-summary').getByRole('link').allInnerTexts();
    try {
      await hearth.goto('/no-such-page');
      await hearth.verifyOnPage({ title: 'Page not found', status: 404 });

      await hearth.goto('/sign-in');
      await hearth.verifyOnPage({ title: 'Sign in' });
      await hearth.clickButton('Continue');
      await hearth.verifyOnPage({ title: 'Sign in', status: 400 });
      expect(await summaryLinks()).toEqual(['Enter your email address', 'Enter your password']);
      // Without JavaScript the summary's links are ordinary links to the fields.
      await page.locator('.govuk-error-summary').getByRole('link', { name: 'Enter your password' }).click();
      expect(new URL(page.url()).hash).toBe('#password');

      await hearth.field('Email address').fill(account.email);
      await hearth.field('Password').fill('not-the-password');
      await hearth.clickButton('Continue');
      await hearth.verifyOnPage({ title: 'Sign in', status: 400 });
      expect(await summaryLinks()).toEqual(['Enter a correct email address and password']);
      await expect(hearth.field('Email address').inputValue()).resolves.toBe(account.email);
      await expect(hearth.field('Password').inputValue()).resolves.toBe('');

      await hearth.field('Password').fill(DEMO_PASSWORD);
      await hearth.clickButton('Continue');
      await hearth.verifyOnPage({ title: 'Enter the code from your authenticator app' });
      await hearth.field('Code').fill('12345');
      await hearth.clickButton('Continue');
      await hearth.verifyOnPage({ title: 'Enter the code from your authenticator app', status: 400 });
      expect(await summaryLinks()).toEqual(['Enter the 6-digit code from your authenticator app']);
      const wrong = totpCode(account.totp) === '000000' ? '111111' : '000000';
      await hearth.field('Code').fill(wrong);
      await hearth.clickButton('Continue');
      await hearth.verifyOnPage({ title: 'Enter the code from your authenticator app', status: 400 });
      expect(await summaryLinks()).toEqual([
        'The code is not correct or has already been used. Enter the latest code from your authenticator app',
      ]);
      await hearth.clickButton('Cancel and sign out');
      expect(hearth.path()).toBe('/signed-out');
      await hearth.verifyOnPage({ title: 'You have signed out' });

      // A form whose session has gone (here: cookies cleared) is refused, with a way back.
      await hearth.clickLink('Sign in again');
      await hearth.verifyOnPage({ title: 'Sign in' });
      await hearth.context.clearCookies();
      await hearth.field('Email address').fill(account.email);
      await hearth.field('Password').fill(DEMO_PASSWORD);
      await hearth.clickButton('Continue');
      await hearth.verifyOnPage({ title: 'This page has expired', status: 403 });
      await hearth.clickLink('Go to the Hearth home page');
      expect(hearth.path()).toBe('/sign-in');
      await hearth.verifyOnPage({ title: 'Sign in' });

      hearth.expectEveryPageChecked();
    } finally {
      await hearth.close();
    }
  }, 180_000);

  test('a practitioner uses break-glass access (JavaScript off) and their manager reviews it (JavaScript on)', async () => {
    const managerAccount = demoAccount('manager');
    const northAccount = demoAccount('practitioner');
    const manager = await suite.open({ javaScriptEnabled: true });
    const practitioner = await suite.open({ javaScriptEnabled: false });
    try {
      // The address of a child in the South team, which the North team cannot see.
      await practitioner.signIn(demoAccount('south.practitioner'));
      await practitioner.clickLink('See all children');
      await practitioner.verifyOnPage({ title: 'Children' });
      const childPath = await practitioner.link('Tyler Dawson').getAttribute('href');
      if (!childPath) throw new Error('No link to the record');
      await practitioner.signOut();

      // The manager of the North team has nothing to review yet.
      await manager.signIn(managerAccount);
      const managerNavigation = manager.page.getByRole('navigation', { name: 'Menu' });
      await manager.clickLink('Break-glass review', managerNavigation);
      await manager.verifyOnPage({ title: 'Break-glass access to review' });
      await expect(manager.page.locator('main').innerText()).resolves.toContain(
        'Nobody has used break-glass access.',
      );

      // A North practitioner is told the South child's record is not found, with the emergency route.
      await practitioner.signIn(northAccount);
      await practitioner.goto(childPath);
      await practitioner.verifyOnPage({ title: 'Page not found', status: 404 });
      await practitioner.clickLink('ask for emergency access to this record');
      expect(practitioner.path()).toBe(`${childPath}/break-glass`);
      await practitioner.verifyOnPage({ title: "Ask for emergency access to a child's record" });
      await practitioner.clickButton('Get emergency access');
      await practitioner.verifyOnPage({ title: "Ask for emergency access to a child's record", status: 400 });
      const summary = practitioner.page.locator('.govuk-error-summary');
      expect(
        await summary
          .getByRole('link')
          .evaluateAll((as) => as.map((a) => [a.textContent?.trim(), a.getAttribute('href')])),
      ).toEqual([
        ['Select why you need to see this record', '#reasonCode'],
        ['Explain why you need to see this record, in 10 characters or more', '#reason'],
      ]);
      // Each summary link points at a field that exists (the first radio, the textarea).
      await expect(practitioner.page.locator('#reasonCode').getAttribute('type')).resolves.toBe('radio');
      await expect(practitioner.page.locator('#reason').evaluate((el) => el.tagName)).resolves.toBe(
        'TEXTAREA',
      );
      await practitioner.field('Out of hours or emergency duty').check();
      await practitioner
        .field('Explain what has happened')
        .fill('Police called the emergency duty team about Tyler at 2am.');
      await practitioner.clickButton('Get emergency access');
      expect(practitioner.path()).toBe(childPath);
      await practitioner.verifyOnPage({ title: 'Tyler Dawson' });
      await expect(practitioner.page.locator('.govuk-warning-text').innerText()).resolves.toContain(
        'break-glass access',
      );
      await practitioner.clickLink('Who has looked at this record');
      await practitioner.verifyOnPage({ title: 'Who has looked at this record' });
      const entries = (await practitioner.tableRows()).map((row) => [row[1], row[2]]);
      expect(entries).toContainEqual([northAccount.name, 'Used break-glass access']);
      expect(entries).toContainEqual([northAccount.name, 'Viewed the record']);
      await practitioner.signOut();
      practitioner.expectEveryPageChecked();

      await manager.clickLink('Break-glass review', managerNavigation);
      await manager.verifyOnPage({ title: 'Break-glass access to review' });
      const card = manager.page.locator('.govuk-summary-card');
      await expect(card.locator('.govuk-summary-card__title').innerText()).resolves.toContain(
        northAccount.name,
      );
      await expect(card.innerText()).resolves.toContain('Out of hours or emergency duty');
      await manager.clickButton('Mark as reviewed');
      expect(manager.path()).toBe('/manage/break-glass');
      await manager.verifyOnPage({ title: 'Break-glass access to review' });
      await expect(card.locator('.govuk-tag').innerText()).resolves.toBe('Reviewed');
      await manager.signOut();

      manager.expectEveryPageChecked();
      expect(manager.consoleErrors, 'console errors (a CSP violation would show here)').toEqual([]);
      const storage = await manager.page.evaluate(() => ({
        local: localStorage.length,
        session: sessionStorage.length,
      }));
      expect(storage, 'nothing is kept in web storage').toEqual({ local: 0, session: 0 });
    } finally {
      await manager.close();
      await practitioner.close();
    }
  }, 240_000);
});
