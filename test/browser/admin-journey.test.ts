import { describe, expect, test } from 'vitest';
import { totpCode } from '../../src/platform/auth/totp.ts';
import { demoAccount } from './support/accounts.ts';
import { browserSuite } from './support/suite.ts';

const NEW_STAFF = {
  name: 'Casey Newman',
  badEmail: 'casey.newman',
  email: 'casey.newman@demo.hearth.invalid',
  password: 'a-temporary-password-for-casey',
} as const;

/**
 * An administrator adds a member of staff: first with mistakes (the GOV.UK error summary, links that
 * move focus to the field, what was typed kept), then correctly. A second tab saving a stale copy of
 * the account gets the "someone else changed this record" page. Then the new member of staff signs in
 * for the first time and sets up their authenticator app.
 */
describe('administrator journey in a browser', () => {
  const suite = browserSuite();

  test('add a member of staff, with a validation error first, and they sign in for the first time', async () => {
    const admin = demoAccount('admin');
    const hearth = await suite.open({ javaScriptEnabled: true });
    const { page } = hearth;
    try {
      await hearth.signIn(admin);
      await hearth.clickLink('Staff accounts', page.getByRole('navigation', { name: 'Menu' }));
      expect(hearth.path()).toBe('/admin/users');
      await hearth.verifyOnPage({ title: 'Staff accounts' });
      expect((await hearth.tableRows()).map((row) => row[0])).toContain(admin.name);

      // govukButton with an href is a link that looks (and is announced) like a button.
      await hearth.clickButton('Add a member of staff');
      expect(hearth.path()).toBe('/admin/users/new');
      await hearth.verifyOnPage({ title: 'Add a member of staff' });

      await hearth.field('Full name').fill(NEW_STAFF.name);
      await hearth.field('Email address').fill(NEW_STAFF.badEmail);
      await hearth.field('Temporary password (optional)').fill('too-short');
      await hearth.field('Practitioner').check();
      await hearth.field('North family help team').check();
      await hearth.clickButton('Add member of staff');

      expect(hearth.path()).toBe('/admin/users');
      await hearth.verifyOnPage({ title: 'Add a member of staff', status: 400 });
      expect(await page.title()).toMatch(/^Error: /);
      const summary = page.locator('.govuk-error-summary');
      await expect(summary.getByRole('heading').innerText()).resolves.toBe('There is a problem');
      const links = summary.getByRole('link');
      expect(await links.allInnerTexts()).toEqual([
        'Enter an email address in the correct format, like name@example.gov.uk',
        'Password must be 12 characters or more',
      ]);
      expect(await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual([
        '#email',
        '#password',
      ]);
      // govuk-frontend moves focus to the summary, so a screen reader announces it first.
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.classList.contains('govuk-error-summary')))
        .toBe(true);

      // Each message is also shown at its field, and tied to it for assistive technology.
      for (const [id, message] of [
        ['email', 'Enter an email address in the correct format, like name@example.gov.uk'],
        ['password', 'Password must be 12 characters or more'],
      ] as const) {
        expect((await page.locator(`#${id}-error`).textContent())?.replace(/\s+/g, ' ').trim()).toBe(
          `Error: ${message}`,
        );
        await expect(page.locator(`#${id}`).getAttribute('aria-describedby')).resolves.toContain(
          `${id}-error`,
        );
      }
      // The summary's links move focus to the field.
      await summary.getByRole('link', { name: 'Password must be 12 characters or more' }).click();
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('password');
      await summary.getByRole('link', { name: /^Enter an email address/ }).click();
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('email');

      // What was typed is kept, except the password, which is never sent back to the browser.
      await expect(hearth.field('Full name').inputValue()).resolves.toBe(NEW_STAFF.name);
      await expect(hearth.field('Email address').inputValue()).resolves.toBe(NEW_STAFF.badEmail);
      await expect(hearth.field('Temporary password (optional)').inputValue()).resolves.toBe('');
      await expect(hearth.field('Practitioner').isChecked()).resolves.toBe(true);
      await expect(hearth.field('Administrator').isChecked()).resolves.toBe(false);
      await expect(hearth.field('North family help team').isChecked()).resolves.toBe(true);
      await expect(hearth.field('South family help team').isChecked()).resolves.toBe(false);

      await hearth.field('Email address').fill(NEW_STAFF.email);
      await hearth.field('Temporary password (optional)').fill(NEW_STAFF.password);
      await hearth.clickButton('Add member of staff');
      expect(hearth.path()).toMatch(/^\/admin\/users\/[0-9a-f-]{36}$/);
      await hearth.verifyOnPage({ title: NEW_STAFF.name });
      const accountPath = hearth.path();
      const details = await page.locator('.govuk-summary-list').innerText();
      expect(details).toContain(NEW_STAFF.email);
      expect(details).toContain('Not set up');
      await expect(hearth.field('Practitioner').isChecked()).resolves.toBe(true);
      await expect(hearth.field('North family help team').isChecked()).resolves.toBe(true);

      // A second tab holds the same version of the account; the first saves a change.
      const stale = await hearth.newTab();
      await stale.goto(accountPath);
      await stale.verifyOnPage({ title: NEW_STAFF.name });
      await hearth.field('South family help team').check();
      await hearth.clickButton('Save roles and teams');
      expect(hearth.path()).toBe(accountPath);
      await hearth.verifyOnPage({ title: NEW_STAFF.name });
      await expect(hearth.field('South family help team').isChecked()).resolves.toBe(true);
      // Saving the stale copy must not overwrite that change.
      await stale.field('Administrator').check();
      await stale.clickButton('Save roles and teams');
      await stale.verifyOnPage({ title: 'Someone else changed this record', status: 409 });
      await stale.clickLink('Look at the latest version and make your change again');
      expect(stale.path()).toBe(accountPath);
      await stale.verifyOnPage({ title: NEW_STAFF.name });
      await expect(stale.field('Administrator').isChecked()).resolves.toBe(false);
      await expect(stale.field('South family help team').isChecked()).resolves.toBe(true);
      stale.expectEveryPageChecked();
      expect(stale.consoleErrors).toEqual([]);
      await stale.page.close();

      await hearth.clickLink('Back');
      expect(hearth.path()).toBe('/admin/users');
      await hearth.verifyOnPage({ title: 'Staff accounts' });
      expect(await hearth.tableRows()).toContainEqual([
        NEW_STAFF.name,
        NEW_STAFF.email,
        'Practitioner',
        'North family help team, South family help team',
        'Not yet set up',
      ]);
      await hearth.signOut();

      // The new member of staff signs in with the temporary password and sets up an authenticator app.
      await hearth.goto('/sign-in');
      await hearth.verifyOnPage({ title: 'Sign in' });
      await hearth.field('Email address').fill(NEW_STAFF.email);
      await hearth.field('Password').fill(NEW_STAFF.password);
      await hearth.clickButton('Continue');
      await hearth.verifyOnPage({ title: 'Set up your authenticator app' });
      const secret = (await page.locator('[data-qa="totp-secret"]').innerText()).replace(/\s+/g, '');
      await hearth.field('Code').fill(totpCode(secret));
      await hearth.clickButton('Continue');
      expect(hearth.path()).toBe('/');
      await hearth.verifyOnPage({ title: 'Home', heading: `Hello, ${NEW_STAFF.name}` });
      await hearth.signOut();

      hearth.expectEveryPageChecked();
      expect(hearth.consoleErrors, 'console errors (a CSP violation would show here)').toEqual([]);
      const storage = await page.evaluate(() => ({
        local: localStorage.length,
        session: sessionStorage.length,
      }));
      expect(storage, 'nothing is kept in web storage').toEqual({ local: 0, session: 0 });
    } finally {
      await hearth.close();
    }
  }, 240_000);
});
