import { defineConfig } from 'vitest/config';

/**
 * Two projects: `db` (unit, integration and security suites, on PGlite by default, or on a
 * PostgreSQL server when HEARTH_TEST_DATABASE_URL is set) and `browser` (Playwright driving Debian's
 * Chromium against a real server).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'db',
          include: ['src/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/security/**/*.test.ts'],
          pool: 'forks',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/browser/support/global-setup.ts'],
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 60_000,
          // Starting the demo server (migrations on an empty copy of the seeded template) can take
          // minutes on a loaded two-core machine.
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
