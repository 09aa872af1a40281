import { describe, expect, test } from 'vitest';
import { demoAccount } from './support/accounts.ts';
import type { HearthPage } from './support/hearth-page.ts';
import { browserSuite } from './support/suite.ts';
import { choose, fill, fillDate, mainText, today } from './support/forms.ts';

/**
 * A family network meeting in a browser, with axe-core on every page (verifyOnPage): the demo
 * practitioner offers Amara Bennett's family a family network meeting from her protection page; on
 * the meeting's own page (a GOV.UK task list) the family say yes (the form first sent empty, so the
 * error summary is checked too), an independent coordinator is assigned, the meeting is prepared
 * and held, and the family's plan in their words is recorded and agreed; a support item is added.
 * Then the demo analyst opens the report (chart beside its table).
 */

const TIMEOUT = 300_000;
const CHILD = 'Amara Bennett';

function longToday(): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(new Date());
}

async function findChild(hearth: HearthPage): Promise<string> {
  await hearth.goto('/search');
  await hearth.verifyOnPage({ title: 'Find a person' });
  await hearth.field('Name').fill(CHILD);
  await hearth.clickButton('Search');
  await hearth.verifyOnPage({ title: 'Find a person' });
  await hearth.clickLink(CHILD);
  await hearth.verifyOnPage({ title: CHILD });
  return hearth.path();
}

describe('a family network meeting, in a browser', () => {
  const suite = browserSuite();

  test(
    'from the offer to the family’s own plan, and the report',
    async () => {
      const sam = await suite.open({ javaScriptEnabled: true });
      const date = today();
      const meetingTitle = `Family network meeting offered ${longToday()}`;
      try {
        await sam.signIn(demoAccount('practitioner'));
        const childPath = await findChild(sam);

        // The offer, from the child's protection page.
        await sam.goto(`${childPath}/protection`);
        await sam.verifyOnPage({ title: 'Child protection' });
        await sam.clickLink('Record an offer of a family group conference');
        await sam.verifyOnPage({ title: 'Family group conference or family network meeting' });
        await fillDate(sam, 'offeredOn', date);
        await choose(sam, 'response', 'waiting');
        await sam.clickButton('Save');
        await sam.verifyOnPage({ title: 'Child protection' });
        await sam.navigate(() => sam.page.locator('main a[href*="/family-network/"]').last().click());
        await sam.verifyOnPage({ title: meetingTitle });
        expect(await mainText(sam)).toContain('Cannot start yet');

        // The family's answer: sent empty first, then yes.
        await sam.clickLink('The family’s answer');
        await sam.verifyOnPage({ title: 'The family’s answer' });
        await sam.clickButton('Save');
        await sam.verifyOnPage({ title: 'The family’s answer', status: 400 });
        expect(await sam.page.locator('.govuk-error-summary').innerText()).toContain(
          'Choose whether the family said yes or no',
        );
        await choose(sam, 'response', 'accepted');
        await sam.clickButton('Save');
        await sam.verifyOnPage({ title: meetingTitle });

        await sam.clickLink('Independent coordinator');
        await sam.verifyOnPage({ title: 'Independent coordinator' });
        await fill(sam, 'coordinatorName', 'Ruth Adeyemi');
        await fill(sam, 'coordinatorOrganisation', 'Family Group Conference Service');
        await fillDate(sam, 'coordinatorAssignedOn', date);
        await sam.clickButton('Save');
        await sam.verifyOnPage({ title: meetingTitle });

        await sam.clickLink('Preparation');
        await sam.verifyOnPage({ title: 'Preparation' });
        await fill(sam, 'networkContacted', 'Nan (Sharon)\nMarcus (Amara’s dad)');
        await choose(sam, 'privateTime', 'yes');
        await fillDate(sam, 'plannedOn', date);
        await fill(sam, 'venue', 'Oak Road Family Hub');
        await sam.clickButton('Save');
        await sam.verifyOnPage({ title: meetingTitle });

        await sam.clickLink('The meeting');
        await sam.verifyOnPage({ title: 'The meeting' });
        await fillDate(sam, 'heldOn', date);
        await fill(sam, 'attended', 'Jade (mum)\nNan (Sharon)\nMarcus\nAmara');
        await sam.clickButton('Save');
        await sam.verifyOnPage({ title: meetingTitle });

        await sam.clickLink('The family’s plan');
        await sam.verifyOnPage({ title: 'The family’s plan' });
        await fill(sam, 'familyPlan', 'Nan will have Amara after school on Tuesdays and Thursdays.');
        await fillDate(sam, 'planRecordedOn', date);
        await choose(sam, 'planAgreed', 'yes');
        await sam.clickButton('Save');
        await sam.verifyOnPage({ title: meetingTitle });

        await sam.clickLink('Support package');
        await sam.verifyOnPage({ title: 'Add support to the family network support package' });
        await fill(sam, 'what', 'Bus passes so Nan can collect Amara');
        await choose(sam, 'providerKind', 'service');
        await fill(sam, 'provider', 'Travel support');
        await fill(sam, 'cost', '45.50');
        await fillDate(sam, 'fromOn', date);
        await sam.clickButton('Add the support');
        await sam.verifyOnPage({ title: meetingTitle });

        const text = await mainText(sam);
        expect(text).toContain('Nan will have Amara after school on Tuesdays and Thursdays.');
        expect(text).toContain('Agreed by the local authority');
        expect(text).toContain('£45.50');
        expect(text).not.toContain('Not yet started\nThe family’s plan');
        expect(sam.consoleErrors).toEqual([]);
        await sam.signOut();
        sam.expectEveryPageChecked();
      } finally {
        await sam.close();
      }

      const analyst = await suite.open({ javaScriptEnabled: true });
      try {
        await analyst.signIn(demoAccount('analyst'));
        await analyst.clickLink('Family reports', analyst.page.getByRole('navigation', { name: 'Menu' }));
        await analyst.verifyOnPage({ title: 'Insight' });
        await analyst.clickLink('Family network meetings');
        await analyst.verifyOnPage({ title: 'Family network meetings' });
        expect(await analyst.page.locator('svg[role="img"]').count()).toBeGreaterThan(0);
        expect(await mainText(analyst)).toContain('Held per 100 offered');
        await analyst.goto('/reports/family/practical-help');
        await analyst.verifyOnPage({ title: 'Practical and financial help' });
        expect(analyst.consoleErrors).toEqual([]);
        analyst.expectEveryPageChecked();
      } finally {
        await analyst.close();
      }
    },
    TIMEOUT,
  );
});
