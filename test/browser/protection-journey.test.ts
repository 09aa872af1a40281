import { describe, expect, test } from 'vitest';
import { demoAccount } from './support/accounts.ts';
import type { HearthPage } from './support/hearth-page.ts';
import { browserSuite } from './support/suite.ts';
import { choose, fill, fillDate, mainText, openDecision, sentRequest, today } from './support/forms.ts';

/**
 * Child protection in a browser, with axe-core on every page (verifyOnPage): a police request for
 * help; the demo manager decides on a strategy discussion; the practitioner records it (who said
 * what) and starts a section 47 enquiry; its outcome is an initial conference, arranged with the
 * parents invited, the report shared with them (late, so the page says so) and a family group
 * conference offered; the conference starts a child protection plan; an action and a core group;
 * a review conference ends the plan and the help steps down to child in need.
 */

const TIMEOUT = 300_000;

async function person(hearth: HearthPage, index: number, name: string, role: string, kind: string) {
  await fill(hearth, `inviteName-${String(index)}`, name);
  await fill(hearth, `inviteRole-${String(index)}`, role);
  await hearth.page.locator(`[name="inviteKind-${String(index)}"]`).selectOption(kind);
}

describe('child protection with the family, in a browser', () => {
  const suite = browserSuite();

  test(
    'strategy discussion, section 47, initial conference, plan, review conference, plan ends',
    async () => {
      const sam = await suite.open({ javaScriptEnabled: true });
      const priya = await suite.open({ javaScriptEnabled: true });
      const date = today();
      try {
        await sam.signIn(demoAccount('practitioner'));
        await priya.signIn(demoAccount('manager'));

        // A request from the police for a child the council does not know yet.
        await sam.goto('/front-door');
        await sam.verifyOnPage({ title: 'Front door' });
        await sam.clickButton('Request help for a child');
        await sam.verifyOnPage({ title: 'Request help for a child' });
        await fill(sam, 'childGivenName', 'Mia');
        await fill(sam, 'childFamilyName', 'Testprotect');
        await fillDate(sam, 'childDateOfBirth', { day: '3', month: '2', year: '2019' });
        await choose(sam, 'requesterKind', 'professional');
        await fill(sam, 'requesterName', 'DC Sam Okafor');
        await fill(sam, 'requesterRole', 'Child abuse investigation team');
        await fill(sam, 'requesterOrganisation', 'Police');
        await fill(sam, 'requesterContact', '01632 960 222');
        await sam.page.locator('[name="referralSource"]').selectOption('6');
        await fill(
          sam,
          'worry',
          'Mia came to school with a bruise on her cheek and said she was scared to go home.',
        );
        await fill(sam, 'familyView', 'Mum says Mia fell off the sofa.');
        await fill(sam, 'alreadyTried', 'School spoke to mum.');
        await fill(sam, 'willKeepDoing', 'School will check in with Mia every morning.');
        await choose(sam, 'familyKnows', 'yes');
        await choose(sam, 'familyConsents', 'no');
        await choose(sam, 'primaryNeed', 'N1');
        await sam.clickButton('Send request');
        await sam.verifyOnPage({ title: 'Request for help' });
        const { requestPath, childId } = await sentRequest(sam);
        const base = `/children/${childId}/protection`;

        // The manager decides a strategy discussion is needed.
        await openDecision(priya, requestPath);
        await choose(priya, 'decision', 'strategy_discussion');
        await priya.page.locator('[name="teamId"]').selectOption({ label: 'North family help team (North)' });
        await fill(
          priya,
          'reason',
          'A child with an injury who is scared to go home: we must talk with the police today.',
        );
        await priya.page.locator('input[name="thresholdId"]').first().check();
        await fill(priya, 'feedback', 'Thank you: we are holding a strategy discussion today.');
        await priya.clickButton('Record the decision');
        await priya.verifyOnPage({ title: 'Request for help' });

        // The strategy discussion: who said what, and the decision.
        await sam.goto(base);
        await sam.verifyOnPage({ title: 'Child protection' });
        await sam.clickButton('Record a strategy discussion');
        await sam.verifyOnPage({ title: 'Record a strategy discussion' });
        await fill(sam, 'name-0', 'DC Sam Okafor');
        await fill(sam, 'said-0', 'Mia told her teacher that mum’s partner hit her.');
        await sam.clickButton('Save the strategy discussion');
        await sam.verifyOnPage({ title: 'Record a strategy discussion', status: 400 });
        expect(await mainText(sam)).toContain('Choose whether to start a section 47 enquiry');
        expect(await sam.page.locator('[name="said-0"]').inputValue()).toContain('mum’s partner hit her');
        await fill(sam, 'name-1', 'Dr Ada Bello');
        await fill(sam, 'role-1', 'Paediatrician');
        await fill(sam, 'said-1', 'The bruise is not consistent with a fall.');
        await choose(sam, 'decision', 'section47');
        await fill(sam, 'reason', 'Mia may be being hurt at home: we need to find out whether she is safe.');
        await sam.clickButton('Save the strategy discussion');
        await sam.verifyOnPage({ title: 'Strategy discussion' });
        expect(await mainText(sam)).toContain('The bruise is not consistent with a fall.');

        // The section 47 enquiry finds a conference is needed.
        await sam.goto(base);
        await sam.verifyOnPage({ title: 'Child protection' });
        await sam.clickLink('Record the outcome');
        await sam.verifyOnPage({ title: 'Record the outcome of the section 47 enquiry' });
        await fillDate(sam, 'completedOn', date);
        await choose(sam, 'outcome', 'initial_conference');
        await fill(
          sam,
          'findings',
          'Mia has been hurt at home; mum wants to keep her safe but needs help to.',
        );
        await sam.clickButton('Save the outcome');
        await sam.verifyOnPage({ title: 'Arrange the initial child protection conference' });

        // The conference is arranged: the parents invited, the report shared, an advocate offered.
        await fillDate(sam, 'heldOn', date);
        await person(sam, 0, 'Rosa Testprotect', 'Mum', 'parent');
        await person(sam, 1, 'Dr Ada Bello', 'Paediatrician', 'professional');
        await fillDate(sam, 'reportSharedOn', date);
        await choose(sam, 'reportSharedHow', 'in_person');
        await choose(sam, 'advocateOffered', 'yes');
        await choose(sam, 'advocateTakenUp', 'yes');
        await sam.clickButton('Save the arrangements');
        await sam.verifyOnPage({ title: 'Initial child protection conference' });
        const conferencePath = sam.path().split('?')[0] ?? '';
        let text = await mainText(sam);
        expect(text).toContain('The report was shared with the parents late');
        expect(text).toContain('none has been offered yet');

        // A family group conference is offered; the family say yes.
        await sam.clickLink('Record the offer');
        await sam.verifyOnPage({ title: 'Family group conference or family network meeting' });
        await choose(sam, 'response', 'accepted');
        await sam.clickButton('Save');
        await sam.verifyOnPage({ title: 'Child protection' });
        await sam.goto(conferencePath);
        await sam.verifyOnPage({ title: 'Initial child protection conference' });
        expect(await mainText(sam)).not.toContain('none has been offered yet');

        // The conference decides on a plan.
        await sam.clickButton('Record what the conference decided');
        await sam.verifyOnPage({ title: 'Record what the conference decided' });
        await sam.page.getByLabel('Rosa Testprotect (Mum)').check();
        await fill(sam, 'familyView', 'I want Mia safe. He has moved out and I will not let him back.');
        await choose(sam, 'decision', 'plan');
        await choose(sam, 'category', 'PHY');
        await fill(
          sam,
          'decisionReason',
          'Mia was hurt at home; a plan will keep her safe while things change.',
        );
        await sam.clickButton('Save the decision');
        await sam.verifyOnPage({ title: 'Child protection plan' });
        const planPath = sam.path().split('?')[0] ?? '';
        text = await mainText(sam);
        expect(text).toContain('Physical abuse');
        expect(text).toContain('Next review conference by');

        // An action, and a core group meeting.
        await sam.clickButton('Add an action');
        await sam.verifyOnPage({ title: 'Add an action to the plan' });
        await fill(sam, 'goal', 'Mia feels safe at home');
        await fill(sam, 'who', 'Mum: keeps her partner away. School: checks in each morning.');
        await sam.clickButton('Add the action');
        await sam.verifyOnPage({ title: 'Child protection plan' });
        await sam.clickButton('Record a core group meeting');
        await sam.verifyOnPage({ title: 'Record a core group meeting' });
        await fillDate(sam, 'heldOn', date);
        await person(sam, 0, 'Rosa Testprotect', 'Mum', 'parent');
        await fill(sam, 'familyView', 'Mia is sleeping better.');
        await sam.clickButton('Save the meeting');
        await sam.verifyOnPage({ title: 'Child protection plan' });
        expect(await mainText(sam)).toContain('Mia is sleeping better.');

        // A review conference ends the plan: the help steps down to child in need.
        await sam.goto(base);
        await sam.verifyOnPage({ title: 'Child protection' });
        await sam.clickButton('Arrange a review conference');
        await sam.verifyOnPage({ title: 'Arrange the review child protection conference' });
        await fillDate(sam, 'heldOn', date);
        await person(sam, 0, 'Rosa Testprotect', 'Mum', 'parent');
        await choose(sam, 'advocateOffered', 'no');
        await sam.clickButton('Save the arrangements');
        await sam.verifyOnPage({ title: 'Review child protection conference' });
        await sam.clickButton('Record what the conference decided');
        await sam.verifyOnPage({ title: 'Record what the conference decided' });
        await fill(sam, 'familyView', 'We are doing well and want to carry on with the help.');
        await choose(sam, 'decision', 'end');
        await fill(sam, 'decisionReason', 'Mia is safe; her mum has kept to the plan.');
        await choose(sam, 'stepTo', 'child_in_need');
        await sam.clickButton('Save the decision');
        await sam.verifyOnPage({ title: 'Child protection plan' });
        expect(sam.path().split('?')[0]).toBe(planPath);
        text = await mainText(sam);
        expect(text).toContain('Ended');
        expect(text).toContain('Mia is safe; her mum has kept to the plan.');
        await sam.goto(`/children/${childId}/help`);
        await sam.verifyOnPage({ title: 'Help for Mia Testprotect' });
        expect(await mainText(sam)).toContain('Child in need');
        await sam.goto(`/children/${childId}/chronology`);
        await sam.verifyOnPage({ title: 'Chronology' });
        text = await mainText(sam);
        expect(text).toContain('A strategy discussion was held');
        expect(text).toContain('Your child protection plan ended');
      } finally {
        await sam.close();
        await priya.close();
      }
    },
    TIMEOUT,
  );
});
