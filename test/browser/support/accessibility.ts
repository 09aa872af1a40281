import { AxeBuilder } from '@axe-core/playwright';
import type { Result } from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { ACCESSIBILITY_EXCEPTIONS } from './accessibility-exceptions.ts';

/** WCAG 2.2 AA, as the Public Sector Bodies Accessibility Regulations expect. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * Runs axe-core on a page and throws, listing every finding, unless each one is an accepted
 * exception in accessibility-exceptions.ts.
 *
 * axe needs JavaScript, so a page in a context with JavaScript turned off is checked through a
 * second, JavaScript-enabled page: it loads the same address with the DOM the no-JavaScript page
 * has (scripts removed, <noscript> content shown), with the real CSS, images and fonts from the
 * server. That is exactly what someone without JavaScript gets.
 */
export class AccessibilityChecker {
  private readonly browser: Browser;
  private auditPage: Page | undefined;
  private pending: { url: string; html: string } | undefined;

  constructor(browser: Browser) {
    this.browser = browser;
  }

  async check(page: Page, javaScriptEnabled: boolean): Promise<void> {
    const url = page.url();
    const target = javaScriptEnabled ? page : await this.loadWithoutScripts(url, await page.content());
    // Legacy mode runs axe in the page itself instead of opening a helper page for each check: about
    // twice as fast, and Hearth's pages have no cross-origin frames, which is all it gives up.
    const results = await new AxeBuilder({ page: target }).withTags(AXE_TAGS).setLegacyMode(true).analyze();
    const path = new URL(url).pathname;
    const problems = results.violations.flatMap((violation) => unexcused(violation, path));
    if (problems.length > 0) {
      throw new Error(
        `axe-core found ${problems.length} accessibility problem(s) on ${path}${javaScriptEnabled ? '' : ' (JavaScript off)'}:\n` +
          `${problems.join('\n')}\nFix the template (or, with a reason, list it in test/browser/support/accessibility-exceptions.ts).`,
      );
    }
  }

  async close(): Promise<void> {
    await this.auditPage?.context().close();
  }

  private async loadWithoutScripts(url: string, html: string): Promise<Page> {
    if (!this.auditPage) {
      const context = await this.browser.newContext({ javaScriptEnabled: true });
      this.auditPage = await context.newPage();
      await this.auditPage.route(
        (address) => this.pending !== undefined && address.href === this.pending.url,
        (route) =>
          route.fulfill({
            status: 200,
            contentType: 'text/html; charset=utf-8',
            body: this.pending?.html ?? '',
          }),
      );
    }
    const withoutScripts = html
      .replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '')
      .replace(/<noscript\b([^>]*)>/gi, '<div$1>')
      .replace(/<\/noscript>/gi, '</div>');
    this.pending = { url, html: withoutScripts };
    try {
      await this.auditPage.goto(url, { waitUntil: 'load' });
    } finally {
      this.pending = undefined;
    }
    return this.auditPage;
  }
}

function unexcused(violation: Result, path: string): string[] {
  return violation.nodes
    .filter((node) => {
      const target = node.target.map(String).join(' ');
      return !ACCESSIBILITY_EXCEPTIONS.some(
        (e) =>
          e.rule === violation.id &&
          e.path.test(path) &&
          (e.target === undefined || target.includes(e.target)) &&
          (e.htmlIncludes ?? []).every((part) => node.html.includes(part)),
      );
    })
    .map(
      (node) =>
        `  - [${violation.impact ?? 'unknown'}] ${violation.id}: ${violation.help} (${violation.helpUrl})\n      at ${node.target.map(String).join(' ')}: ${node.html}\n      ${(node.failureSummary ?? '').replace(/\n/g, '\n      ')}`,
    );
}
