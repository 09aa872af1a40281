import { describe, expect, test } from 'vitest';
import { demoAccount } from './support/accounts.ts';
import type { HearthPage } from './support/hearth-page.ts';
import { browserSuite } from './support/suite.ts';

/**
 * The people pages in a browser, with axe-core on every page (verifyOnPage).
 *
 * A practitioner finds a child by a misspelt name, opens the record and the family map, and adds an
 * address (a validation error first: the summary is shown and what was typed is kept). The practitioner
 * journey runs with JavaScript on and again with it off. A manager (another account, so no code is
 * used twice) opens the duplicate report, a merge comparison and who can see a record.
 */
const CHILD = 'Amara Bennett';
const MISSPELT = 'Amarah Benet';

async function findChild(hearth: HearthPage): Promise<string> {
  const navigation = hearth.page.getByRole('navigation', { name: 'Menu' });
  await hearth.clickLink('Find a person', navigation);
  expect(hearth.path()).toBe('/search');
  await hearth.verifyOnPage({ title: 'Find a person' });

  await hearth.field('Name').fill(MISSPELT);
  await hearth.clickButton('Search');
  // The search posts: the name typed is never in the address.
  expect(hearth.path()).toBe('/search');
  await hearth.verifyOnPage({ title: 'Find a person' });
  await expect(hearth.field('Name').inputValue()).resolves.toBe(MISSPELT);
  await expect(hearth.page.locator('#results').innerText()).resolves.toMatch(/\d+ (person|people) found/);
  const names = (await hearth.tableRows()).map((row) => row[0] ?? '');
  expect(names.some((name) => name.startsWith(CHILD))).toBe(true);

  await hearth.clickLink(CHILD);
  expect(hearth.path()).toMatch(/^\/children\/[0-9a-f-]{36}$/);
  await hearth.verifyOnPage({ title: CHILD });
  return hearth.path();
}

describe('people pages in a browser', () => {
  const suite = browserSuite();

  for (const javaScriptEnabled of [true, false]) {
    test(`a practitioner finds a child by a misspelt name, opens the family map and adds an address (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
      const hearth = await suite.open({ javaScriptEnabled });
      // Each run adds its own address, so the second run can tell its address from the first one's.
      const street = javaScriptEnabled ? '12 Test Street' : '14 Test Street';
      try {
        await hearth.signIn(demoAccount('practitioner'));
        const recordPath = await findChild(hearth);
        const childId = recordPath.split('/').at(-1) ?? '';

        // The family map: the genogram drawn as SVG, and the same people in a table.
        await hearth.goto(`/children/${childId}/family-map`);
        await hearth.verifyOnPage({ title: `Family map: ${CHILD}`, heading: 'Family map' });
        const genogram = hearth.page.getByRole('region', { name: 'Genogram picture' });
        await expect(genogram.locator('svg').count()).resolves.toBe(1);
        const people = await hearth.tableRows();
        expect(people[0]?.[0]).toBe(CHILD);
        expect(people.length).toBeGreaterThan(1);
        await hearth.clickLink('Back');
        expect(hearth.path()).toBe(recordPath);
        await hearth.verifyOnPage({ title: CHILD });

        // Adding an address: first without the date they moved in.
        await hearth.clickLink('Add an address (addresses)');
        expect(hearth.path()).toBe(`/people/${childId}/addresses/new`);
        await hearth.verifyOnPage({ title: 'Add an address', heading: 'Add an address' });
        await hearth.field('Address line 1').fill(street);
        await hearth.field('Town or city (optional)').fill('Stevenage');
        await hearth.field('Postcode').fill('SG1 1AD');
        await hearth.clickButton('Save address');
        await hearth.verifyOnPage({ title: 'Add an address', status: 400 });
        const summary = hearth.page.locator('.govuk-error-summary');
        await expect(summary.innerText()).resolves.toContain('Enter the date they started living here');
        if (javaScriptEnabled) {
          // govuk-frontend moves focus to the summary, so a screen reader announces it.
          await expect(summary.evaluate((element) => element === document.activeElement)).resolves.toBe(true);
        }
        await expect(hearth.field('Address line 1').inputValue()).resolves.toBe(street);
        await expect(hearth.field('Town or city (optional)').inputValue()).resolves.toBe('Stevenage');
        await expect(hearth.field('Postcode').inputValue()).resolves.toBe('SG1 1AD');
        // The summary links to the day input of the date, as GOV.UK asks.
        await expect(
          summary.getByRole('link', { name: 'Enter the date they started living here' }).getAttribute('href'),
        ).resolves.toBe('#startedOn-day');

        const startedOn = hearth.page.getByRole('group', { name: 'When did they start living here?' });
        await startedOn.getByLabel('Day', { exact: true }).fill('1');
        await startedOn.getByLabel('Month', { exact: true }).fill('9');
        await startedOn.getByLabel('Year', { exact: true }).fill('2025');
        await hearth.clickButton('Save address');
        expect(hearth.path()).toBe(recordPath);
        await hearth.verifyOnPage({ title: CHILD });
        const addresses = hearth.page.locator('#addresses');
        await expect(addresses.innerText()).resolves.toContain(street);
        await expect(addresses.innerText()).resolves.toContain('From 1 September 2025');

        await hearth.signOut();
        hearth.expectEveryPageChecked();
        if (javaScriptEnabled)
          expect(hearth.consoleErrors, 'console errors (a CSP violation would show here)').toEqual([]);
      } finally {
        await hearth.close();
      }
    }, 180_000);
  }

  test('a manager opens the duplicate report (and compares a pair, if there is one) and who can see a record', async () => {
    const hearth = await suite.open({ javaScriptEnabled: true });
    try {
      await hearth.signIn(demoAccount('manager'));
      const navigation = hearth.page.getByRole('navigation', { name: 'Menu' });

      await hearth.clickLink('Duplicates', navigation);
      expect(hearth.path()).toBe('/duplicates');
      await hearth.verifyOnPage({ title: 'Possible duplicate records' });
      await hearth.clickButton('Check for duplicates now');
      expect(hearth.path()).toBe('/duplicates');
      await hearth.verifyOnPage({ title: 'Possible duplicate records' });
      await expect(hearth.page.locator('#last-checked').innerText()).resolves.toContain('Last checked');

      const compare = hearth.page.locator('a[href^="/duplicates/"]').filter({ hasText: 'Compare' });
      if ((await compare.count()) > 0) {
        await hearth.navigate(() => compare.first().click());
        expect(hearth.path()).toMatch(/^\/duplicates\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
        await hearth.verifyOnPage({ title: 'Compare and merge records' });
        await hearth.clickLink('Back to possible duplicates');
        expect(hearth.path()).toBe('/duplicates');
        await hearth.verifyOnPage({ title: 'Possible duplicate records' });
      } else {
        // The demo data has no likely pair: the report says so.
        await expect(hearth.page.locator('main').innerText()).resolves.toContain(
          'There are no possible duplicates to check.',
        );
      }

      await hearth.clickLink('Children', navigation);
      await hearth.verifyOnPage({ title: 'Children' });
      await hearth.clickLink(CHILD);
      await hearth.verifyOnPage({ title: CHILD });
      const recordPath = hearth.path();
      await hearth.goto(`${recordPath}/restrictions`);
      await hearth.verifyOnPage({ title: 'Who can see this record' });
      await hearth.clickLink('Back');
      expect(hearth.path()).toBe(recordPath);
      await hearth.verifyOnPage({ title: CHILD });

      await hearth.signOut();
      hearth.expectEveryPageChecked();
      expect(hearth.consoleErrors, 'console errors (a CSP violation would show here)').toEqual([]);
    } finally {
      await hearth.close();
    }
  }, 180_000);
});
