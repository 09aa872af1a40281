import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { AccessibilityChecker } from './accessibility.ts';
import { DEMO_PASSWORD, freshTotpCode, type DemoAccount } from './accounts.ts';
import type { HearthServer } from './server.ts';

export type Expected = {
  /** The page's title before " – Hearth" (and after "Error: " when there is an error summary). */
  readonly title: string;
  /** The page's one <h1>, when it is not the same as the title. */
  readonly heading?: string;
  /** The HTTP status the page was served with (after any redirect): 200 unless said. */
  readonly status?: number;
};

/**
 * One browser tab on the Hearth server. Every new document it loads must be checked with
 * verifyOnPage() (heading, title and axe-core) before the next one loads: expectEveryPageChecked()
 * fails a test that visited a page without checking it.
 */
export class HearthPage {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly javaScriptEnabled: boolean;
  /** Console errors and uncaught page errors (a CSP violation shows up here). */
  readonly consoleErrors: string[] = [];
  /** Pages loaded and never checked. */
  readonly unchecked: string[] = [];
  private readonly server: HearthServer;
  private readonly accessibility: AccessibilityChecker;
  private current: string | undefined;
  private documentStatus: number | undefined;
  private readonly documentStatuses = new Map<string, number>();
  readonly checked: string[] = [];

  private constructor(
    page: Page,
    server: HearthServer,
    accessibility: AccessibilityChecker,
    javaScriptEnabled: boolean,
  ) {
    this.page = page;
    this.context = page.context();
    this.server = server;
    this.accessibility = accessibility;
    this.javaScriptEnabled = javaScriptEnabled;
    page.on('response', (response) => {
      const request = response.request();
      if (
        request.isNavigationRequest() &&
        response.frame() === page.mainFrame() &&
        (response.status() < 300 || response.status() >= 400)
      ) {
        this.documentStatus = response.status();
        this.documentStatuses.set(response.url(), response.status());
      }
    });
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      // Chromium reports a page served with an error status (a 400 form, a 409) as a console error;
      // that status is checked by verifyOnPage, so only failures of anything else count here.
      const ownStatus = this.documentStatuses.get(message.location().url);
      if (
        ownStatus !== undefined &&
        message
          .text()
          .startsWith(`Failed to load resource: the server responded with a status of ${ownStatus} `)
      )
        return;
      this.consoleErrors.push(`${message.text()} (on ${page.url()})`);
    });
    page.on('pageerror', (error) => this.consoleErrors.push(`Uncaught: ${error.message} (on ${page.url()})`));
    if (process.env['HEARTH_BROWSER_DEBUG']) {
      // HEARTH_BROWSER_DEBUG=1 prints every request, response and page load with its time in ms.
      const t0 = Date.now();
      page.on('request', (r) => console.log(Date.now() - t0, 'REQ', r.method(), r.url()));
      page.on('response', (r) => console.log(Date.now() - t0, 'RES', r.status(), r.url()));
      page.on('requestfailed', (r) => console.log(Date.now() - t0, 'FAIL', r.url(), r.failure()?.errorText));
      page.on('load', () => console.log(Date.now() - t0, 'LOAD', page.url()));
    }
    page.on('domcontentloaded', () => {
      if (this.current !== undefined) this.unchecked.push(this.current);
      this.current = page.url();
    });
  }

  static async open(
    browser: Browser,
    server: HearthServer,
    accessibility: AccessibilityChecker,
    options: { javaScriptEnabled: boolean },
  ): Promise<HearthPage> {
    const context = await browser.newContext({
      javaScriptEnabled: options.javaScriptEnabled,
      baseURL: server.url,
    });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    return new HearthPage(page, server, accessibility, options.javaScriptEnabled);
  }

  /** Another tab in the same browser context (same cookies, same session). */
  async newTab(): Promise<HearthPage> {
    return new HearthPage(
      await this.context.newPage(),
      this.server,
      this.accessibility,
      this.javaScriptEnabled,
    );
  }

  /** The path (and query) of the page now shown. */
  path(): string {
    const url = new URL(this.page.url());
    return url.pathname + url.search;
  }

  async goto(path: string): Promise<void> {
    await this.page.goto(path, { waitUntil: 'load' });
  }

  async goBack(): Promise<void> {
    await this.page.goBack({ waitUntil: 'load' });
    // A page restored from the back-forward cache is not a new document: it must be checked all the same.
    this.current ??= this.page.url();
  }

  /** Runs an action that loads a new page, and waits for that page to load. */
  async navigate(action: () => Promise<unknown>): Promise<void> {
    const loaded = this.page.waitForEvent('load');
    loaded.catch(() => undefined);
    await action();
    await loaded;
  }

  link(name: string, within?: Locator): Locator {
    return (within ?? this.page).getByRole('link', { name, exact: true });
  }

  button(name: string): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  field(label: string): Locator {
    return this.page.getByLabel(label, { exact: true });
  }

  async clickLink(name: string, within?: Locator): Promise<void> {
    await this.navigate(() => this.link(name, within).click());
  }

  async clickButton(name: string): Promise<void> {
    await this.navigate(() => this.button(name).click());
  }

  /**
   * Checks the page now shown is the one expected (one <h1>, and a GOV.UK-style title) and that
   * axe-core finds no accessibility problem on it.
   */
  async verifyOnPage(expected: Expected): Promise<void> {
    const where = this.path();
    // A page restored from the back-forward cache has no response of its own.
    if (this.documentStatus !== undefined)
      expect(this.documentStatus, `the HTTP status of ${where}`).toBe(expected.status ?? 200);
    this.documentStatus = undefined;
    const headings = await this.page.locator('h1').allInnerTexts();
    expect(headings.map(squash), `the <h1> on ${where}`).toEqual([expected.heading ?? expected.title]);
    const hasErrors = (await this.page.locator('.govuk-error-summary').count()) > 0;
    expect(await this.page.title(), `the title of ${where}`).toBe(
      `${hasErrors ? 'Error: ' : ''}${expected.title} – Hearth`,
    );
    await this.accessibility.check(this.page, this.javaScriptEnabled);
    this.checked.push(where);
    this.current = undefined;
  }

  expectEveryPageChecked(): void {
    const missed = [...this.unchecked, ...(this.current ? [this.current] : [])];
    expect(missed, 'pages visited without verifyOnPage (and so without an accessibility check)').toEqual([]);
  }

  /** The text of each body row of the first table on the page, cell by cell. */
  async tableRows(): Promise<string[][]> {
    const rows = this.page.locator('table tbody tr');
    const result: string[][] = [];
    for (const row of await rows.all())
      result.push((await row.locator('th, td').allInnerTexts()).map(squash));
    return result;
  }

  /** Password, then the code from the authenticator, landing on the home page. */
  async signIn(account: DemoAccount): Promise<void> {
    await this.goto('/sign-in');
    await this.verifyOnPage({ title: 'Sign in' });
    await this.field('Email address').fill(account.email);
    await this.field('Password').fill(DEMO_PASSWORD);
    await this.clickButton('Continue');
    await this.verifyOnPage({ title: 'Enter the code from your authenticator app' });
    await this.field('Code').fill(await freshTotpCode(account.totp));
    await this.clickButton('Continue');
    expect(this.path()).toBe('/');
    await this.verifyOnPage({ title: 'Home', heading: `Hello, ${account.name}` });
  }

  async signOut(): Promise<void> {
    await this.clickButton('Sign out');
    expect(this.path()).toBe('/signed-out');
    await this.verifyOnPage({ title: 'You have signed out' });
  }

  /** Closes the whole browser context (every tab). */
  async close(): Promise<void> {
    await this.context.close();
  }
}

function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
