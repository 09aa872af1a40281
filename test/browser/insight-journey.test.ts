import { describe, expect, test } from 'vitest';
import { demoAccount } from './support/accounts.ts';
import { mainText } from './support/forms.ts';
import { browserSuite } from './support/suite.ts';

/**
 * A performance analyst and the insight pages, in a browser with JavaScript off and axe-core on
 * every page: the list of views from the navigation, a view with its charts (inline SVG, no CSP
 * violation) beside their tables, filtered with the GET form; a bad date comes back with an error
 * summary keeping what was typed; a figure downloads as CSV with the same filters.
 */
describe('insight in a browser', () => {
  const suite = browserSuite();

  test('an analyst opens insight and filters a view (JavaScript off)', async () => {
    const hearth = await suite.open({ javaScriptEnabled: false });
    try {
      await hearth.signIn(demoAccount('analyst'));
      await hearth.clickLink('Insight', hearth.page.getByRole('navigation', { name: 'Menu' }));
      await hearth.verifyOnPage({ title: 'Insight' });
      expect(await mainText(hearth)).toContain('Who comes to the front door');

      await hearth.clickLink('Who comes to the front door');
      await hearth.verifyOnPage({ title: 'Who comes to the front door' });
      const charts = hearth.page.locator('main svg[role="img"]');
      expect(await charts.count()).toBeGreaterThan(0);
      expect(await hearth.page.locator('main table.app-insight-table').count()).toBeGreaterThan(0);
      const firstChart = await charts.first().getAttribute('aria-labelledby');
      expect(await hearth.page.locator(`[id="${firstChart ?? ''}"]`).count()).toBe(1);

      // Filter: girls, from 1 January of last year.
      const lastYear = String(new Date().getUTCFullYear() - 1);
      await hearth.page.locator('#from-day').fill('1');
      await hearth.page.locator('#from-month').fill('1');
      await hearth.page.locator('#from-year').fill(lastYear);
      await hearth.page.locator('select[name="sex"]').selectOption('F');
      await hearth.clickButton('Apply filters');
      await hearth.verifyOnPage({ title: 'Who comes to the front door' });
      expect(hearth.page.url()).toContain('sex=F');
      expect(await mainText(hearth)).toContain(`Showing: From ${lastYear}-01-01 to`);
      expect(await mainText(hearth)).toContain('Sex: Female');
      expect(await hearth.page.locator('select[name="sex"]').inputValue()).toBe('F');

      // A date that does not exist.
      await hearth.page.locator('#from-day').fill('31');
      await hearth.page.locator('#from-month').fill('2');
      await hearth.clickButton('Apply filters');
      await hearth.verifyOnPage({ title: 'Who comes to the front door', status: 400 });
      const summary = await hearth.page.locator('.govuk-error-summary').getByRole('link').allInnerTexts();
      expect(summary).toEqual(['Date from must be a real date']);
      expect(await hearth.page.locator('#from-day').inputValue()).toBe('31');
      expect(await hearth.page.locator('select[name="sex"]').inputValue()).toBe('F');

      await hearth.clickLink('Clear filters');
      await hearth.verifyOnPage({ title: 'Who comes to the front door' });
      const csvHref = await hearth.page
        .getByRole('link', { name: /^Download CSV/ })
        .first()
        .getAttribute('href');
      expect(csvHref).toMatch(/\.csv\?from=\d{4}-\d{2}-\d{2}&to=/);
      const csv = await hearth.page.request.get(new URL(csvHref ?? '', hearth.page.url()).toString());
      expect(csv.status()).toBe(200);
      expect(csv.headers()['content-type']).toContain('text/csv');
      expect((await csv.text()).split('\n').length).toBeGreaterThan(1);

      await hearth.clickLink('Insight', hearth.page.getByRole('navigation', { name: 'Menu' }));
      await hearth.verifyOnPage({ title: 'Insight' });
      expect(hearth.consoleErrors).toEqual([]);
      await hearth.signOut();
      hearth.expectEveryPageChecked();
    } finally {
      await hearth.close();
    }
  }, 240_000);
});
