import { describe, expect, test } from 'vitest';
import { govukDate } from '../../src/web/views.ts';
import { demoAccount } from './support/accounts.ts';
import { browserSuite } from './support/suite.ts';

/**
 * A practitioner signs in, finds a child, reads the record, sees their own visit in "Who has looked at
 * this record", and signs out; after that, neither the back button nor the home page shows anything
 * but the sign-in page. Run with JavaScript and again without it: everything must work either way.
 * The two runs use the two demo practitioners (a code works once per account per 30 seconds).
 */
const RUNS = [
  {
    javaScriptEnabled: true,
    account: demoAccount('practitioner'),
    children: ['Amara Bennett', 'Leo Bennett', 'Maisie Clarke'],
    team: 'North family help team',
  },
  {
    javaScriptEnabled: false,
    account: demoAccount('south.practitioner'),
    children: ['Tyler Dawson', 'Zara Hussain'],
    team: 'South family help team',
  },
] as const;

describe('practitioner journey in a browser', () => {
  const suite = browserSuite();

  for (const run of RUNS) {
    test(`sign in, open a child's record, see who has looked, sign out (JavaScript ${run.javaScriptEnabled ? 'on' : 'off'})`, async () => {
      const days = [govukDate(new Date())];
      const hearth = await suite.open({ javaScriptEnabled: run.javaScriptEnabled });
      try {
        await hearth.signIn(run.account);
        const navigation = hearth.page.getByRole('navigation', { name: 'Menu' });

        await hearth.clickLink('Children', navigation);
        expect(hearth.path()).toBe('/children');
        await hearth.verifyOnPage({ title: 'Children' });
        const rows = await hearth.tableRows();
        // The children of the practitioner's own team (the demo's families and its generated
        // population), and none of the other team's.
        const names = rows.map((row) => row[0]);
        expect(names).toEqual(expect.arrayContaining([...run.children]));
        const otherTeam = RUNS.filter((other) => other !== run).flatMap((other) => other.children);
        for (const name of otherTeam) expect(names).not.toContain(name);

        const child = run.children[0];
        await hearth.clickLink(child);
        expect(hearth.path()).toMatch(/^\/children\/[0-9a-f-]{36}$/);
        await hearth.verifyOnPage({ title: child });
        await expect(hearth.page.locator('main').innerText()).resolves.toContain(run.team);
        const recordPath = hearth.path();

        await hearth.clickLink('Who has looked at this record');
        expect(hearth.path()).toBe(`${recordPath}/who-has-looked`);
        await hearth.verifyOnPage({ title: 'Who has looked at this record' });
        days.push(govukDate(new Date()));
        const entries = await hearth.tableRows();
        // Opening the record, then this page (which is itself a look at the record), most recent first.
        expect(entries).toHaveLength(2);
        for (const [when, who, what] of entries) {
          expect(who).toBe(run.account.name);
          expect(what).toBe('Viewed the record');
          expect(days.some((day) => when?.startsWith(`${day} at `))).toBe(true);
        }

        await hearth.signOut();
        expect((await hearth.context.cookies()).map((c) => c.name)).not.toContain('hearth-session');

        // The back button must not show the record again: it asks the server, which wants a sign-in.
        await hearth.goBack();
        expect(hearth.path()).toBe('/sign-in');
        await hearth.verifyOnPage({ title: 'Sign in' });
        await expect(hearth.page.locator('body').innerText()).resolves.not.toContain(child);

        await hearth.goto('/');
        expect(hearth.path()).toBe('/sign-in');
        await hearth.verifyOnPage({ title: 'Sign in' });

        hearth.expectEveryPageChecked();
        if (run.javaScriptEnabled) {
          expect(hearth.consoleErrors, 'console errors (a CSP violation would show here)').toEqual([]);
          const storage = await hearth.page.evaluate(() => ({
            local: localStorage.length,
            session: sessionStorage.length,
          }));
          expect(storage, 'nothing is kept in web storage').toEqual({ local: 0, session: 0 });
          for (const cookie of await hearth.context.cookies()) {
            expect(cookie.httpOnly, `cookie ${cookie.name} is not readable by scripts`).toBe(true);
          }
        }
      } finally {
        await hearth.close();
      }
    }, 180_000);
  }
});
