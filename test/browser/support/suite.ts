import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { AccessibilityChecker } from './accessibility.ts';
import { launchChromium } from './browser.ts';
import { HearthPage } from './hearth-page.ts';
import { startServer, type HearthServer } from './server.ts';

export type BrowserSuite = {
  /** The browser and the server, or the reason they could not start (thrown, so the test fails). */
  ready(): { browser: Browser; server: HearthServer; accessibility: AccessibilityChecker };
  /** A new browser context (its own cookies) with one tab on the server. */
  open(options: { javaScriptEnabled: boolean; server?: HearthServer }): Promise<HearthPage>;
};

/**
 * For one test file: launches Chromium, starts one real Hearth server (unless `server: false`; with
 * `env()`'s settings added, read when the server starts, so an earlier beforeAll can prepare them),
 * checks after each test that the server logged no error, and stops both at the end.
 *
 * A set-up failure (no Chromium, a server that does not start) is not thrown from beforeAll, where
 * vitest would report the tests as skipped: each test throws it instead, so each one FAILS.
 */
export function browserSuite(
  options: { server: boolean; env?: () => Readonly<Record<string, string>> } = { server: true },
): BrowserSuite {
  let browser: Browser | undefined;
  let server: HearthServer | undefined;
  let accessibility: AccessibilityChecker | undefined;
  let setupError: Error | undefined;
  let errorsSeen = 0;

  beforeAll(async () => {
    try {
      browser = await launchChromium();
      accessibility = new AccessibilityChecker(browser);
      if (options.server) server = await startServer(options.env?.() ?? {});
    } catch (error) {
      setupError =
        error instanceof Error ? error : new Error('The browser suite could not set up', { cause: error });
    }
  });

  afterEach(() => {
    const errors = server?.serverErrors() ?? [];
    const fresh = errors.slice(errorsSeen);
    errorsSeen = errors.length;
    expect(fresh, 'errors logged by the server during this test').toEqual([]);
  });

  afterAll(async () => {
    await accessibility?.close();
    await browser?.close();
    await server?.stop();
  });

  const ready = () => {
    if (setupError) throw setupError;
    if (!browser || !accessibility || (options.server && !server))
      throw new Error('The browser suite did not set up');
    return { browser, server: server as HearthServer, accessibility };
  };

  return {
    ready,
    async open(openOptions) {
      const { browser: b, server: s, accessibility: a } = ready();
      return HearthPage.open(b, openOptions.server ?? s, a, {
        javaScriptEnabled: openOptions.javaScriptEnabled,
      });
    },
  };
}
