import { describe, expect, test } from 'vitest';
import { demoAccount } from './support/accounts.ts';
import type { HearthPage } from './support/hearth-page.ts';
import { browserSuite } from './support/suite.ts';

/**
 * Merging duplicate records in a browser, with axe-core on every page (verifyOnPage). The demo data
 * has a second record of Maisie Clarke ("Maisy Clark", same date of birth, not allocated: a new
 * contact). The North team's manager finds the pair in the duplicate report, compares the records,
 * merges the new contact's record into Maisie's, follows the old record's address to the kept record,
 * and undoes the merge. Run with JavaScript on and again with it off (the same account: the second run
 * waits for a fresh authenticator code).
 */
const KEEP = 'Maisie Clarke';
const MERGE = 'Maisy Clark';
const UUID = '[0-9a-f-]{36}';

/** The "Record to keep" card's name. */
async function recordToKeep(hearth: HearthPage): Promise<string> {
  const card = hearth.page.locator('.govuk-summary-card').filter({ hasText: 'Record to keep' });
  const row = card.locator('.govuk-summary-list__row').filter({ hasText: 'Name' }).first();
  return (await row.locator('.govuk-summary-list__value').innerText()).trim();
}

describe('merging duplicate records in a browser', () => {
  const suite = browserSuite();

  for (const javaScriptEnabled of [true, false]) {
    test(`a manager finds a duplicate, merges it, follows the old record to the kept one, and undoes the merge (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
      const hearth = await suite.open({ javaScriptEnabled });
      try {
        await hearth.signIn(demoAccount('manager'));
        const navigation = hearth.page.getByRole('navigation', { name: 'Menu' });

        // The duplicate report, after a fresh check.
        await hearth.clickLink('Duplicates', navigation);
        expect(hearth.path()).toBe('/duplicates');
        await hearth.verifyOnPage({ title: 'Possible duplicate records' });
        await hearth.clickButton('Check for duplicates now');
        expect(hearth.path()).toBe('/duplicates');
        await hearth.verifyOnPage({ title: 'Possible duplicate records' });
        // The pairs table (the second run also finds the first run's undone merge in "Recent merges").
        const pairRow = hearth.page
          .getByRole('table', { name: 'Possible duplicate records' })
          .locator('tbody tr')
          .filter({ hasText: KEEP })
          .filter({ hasText: MERGE });
        await expect(pairRow.count()).resolves.toBe(1);
        await expect(pairRow.innerText()).resolves.toContain('Same date of birth');

        // The comparison, with the allocated record as the one to keep.
        await hearth.navigate(() => pairRow.getByRole('link', { name: /^Compare/ }).click());
        expect(hearth.path()).toMatch(new RegExp(`^/duplicates/${UUID}/${UUID}$`));
        await hearth.verifyOnPage({ title: 'Compare and merge records' });
        if ((await recordToKeep(hearth)) !== KEEP) {
          await hearth.clickLink('Keep the other record instead');
          await hearth.verifyOnPage({ title: 'Compare and merge records' });
        }
        expect(await recordToKeep(hearth)).toBe(KEEP);
        const [, , keepId, mergeId] = hearth.path().split('/');
        const checks = hearth.page.locator('#checks + .govuk-summary-list');
        await expect(checks.innerText()).resolves.not.toContain('Stops the merge');

        // The merge, and its confirmation with an undo button.
        await hearth.clickButton('Merge records');
        expect(hearth.path()).toMatch(new RegExp(`^/children/${keepId}/merges\\?merged=${UUID}$`));
        await hearth.verifyOnPage({ title: 'Merge history', heading: 'Merge history' });
        const banner = hearth.page.locator('.govuk-notification-banner');
        await expect(banner.innerText()).resolves.toContain('Records merged');
        await expect(banner.innerText()).resolves.toContain(
          `${MERGE}’s record has been merged into this one.`,
        );
        const historyPath = hearth.path();

        // The merged record's old address leads to the kept record, which says so.
        await hearth.goto(`/children/${mergeId}`);
        expect(hearth.path()).toBe(`/children/${keepId}?merged=${mergeId}`);
        await hearth.verifyOnPage({ title: KEEP });
        await expect(hearth.page.locator('.govuk-notification-banner').innerText()).resolves.toContain(
          'The record you opened was merged into this one.',
        );
        await expect(hearth.page.locator('#names').innerText()).resolves.toContain(MERGE);

        // Undo.
        await hearth.goto(historyPath);
        await hearth.verifyOnPage({ title: 'Merge history', heading: 'Merge history' });
        await hearth.navigate(() => banner.getByRole('button', { name: 'Undo this merge' }).click());
        expect(hearth.path()).toMatch(new RegExp(`^/children/${keepId}/merges\\?undone=${UUID}$`));
        await hearth.verifyOnPage({ title: 'Merge history', heading: 'Merge history' });
        await expect(hearth.page.locator('.govuk-notification-banner').innerText()).resolves.toContain(
          `${MERGE}’s record is separate again.`,
        );
        await expect(hearth.page.locator('main').innerText()).resolves.toMatch(/Undone by Priya Shah/);

        // The report again lists the pair to check, and the recent merge as undone.
        await hearth.clickLink('Back to possible duplicates');
        expect(hearth.path()).toBe('/duplicates');
        await hearth.verifyOnPage({ title: 'Possible duplicate records' });
        await expect(hearth.page.locator('main').innerText()).resolves.toContain(`${MERGE} into ${KEEP}`);

        await hearth.signOut();
        hearth.expectEveryPageChecked();
        if (javaScriptEnabled)
          expect(hearth.consoleErrors, 'console errors (a CSP violation would show here)').toEqual([]);
      } finally {
        await hearth.close();
      }
    }, 180_000);
  }
});
