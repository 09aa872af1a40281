import { describe, expect, test } from 'vitest';
import type { HearthServer } from './support/server.ts';
import { browserSuite } from './support/suite.ts';

/**
 * The checks the journeys rely on must be able to fail: axe-core must find a known problem with
 * JavaScript on and off, and a page visited without verifyOnPage must be noticed. No Hearth server:
 * the pages are served by the browser's request interception.
 */
const ORIGIN = 'http://hearth.invalid';
const PAGE = (body: string) =>
  `<!DOCTYPE html><html lang="en"><head><title>Test page – Hearth</title></head><body><main><h1>Test page</h1>${body}</main></body></html>`;

const stubServer: HearthServer = {
  url: ORIGIN,
  port: 80,
  output: () => '',
  serverErrors: () => [],
  stop: async () => undefined,
};

describe('the browser suites’ own checks', () => {
  const suite = browserSuite({ server: false });

  for (const javaScriptEnabled of [true, false]) {
    test(`axe-core finds a missing form label with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, async () => {
      const hearth = await suite.open({ javaScriptEnabled, server: stubServer });
      try {
        await hearth.context.route(`${ORIGIN}/**`, (route) =>
          route.fulfill({
            contentType: 'text/html; charset=utf-8',
            body: PAGE(
              route.request().url().endsWith('/bad')
                ? '<form><input type="text" name="x"></form>'
                : '<p>Fine.</p>',
            ),
          }),
        );
        await hearth.goto('/good');
        await hearth.verifyOnPage({ title: 'Test page' });
        await hearth.goto('/bad');
        await expect(hearth.verifyOnPage({ title: 'Test page' })).rejects.toThrow(
          /label: Form elements must have labels/,
        );
      } finally {
        await hearth.close();
      }
    });
  }

  test('a page visited without verifyOnPage is noticed', async () => {
    const hearth = await suite.open({ javaScriptEnabled: true, server: stubServer });
    try {
      await hearth.context.route(`${ORIGIN}/**`, (route) =>
        route.fulfill({ contentType: 'text/html; charset=utf-8', body: PAGE('<p>Fine.</p>') }),
      );
      await hearth.goto('/first');
      await hearth.goto('/second');
      await hearth.verifyOnPage({ title: 'Test page' });
      expect(() => hearth.expectEveryPageChecked()).toThrow(/first/);
    } finally {
      await hearth.close();
    }
  });
});
