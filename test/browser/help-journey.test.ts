import { describe, expect, test } from 'vitest';
import { demoAccount } from './support/accounts.ts';
import type { HearthPage } from './support/hearth-page.ts';
import { browserSuite } from './support/suite.ts';
import { choose, fill, fillDate, mainText, openDecision, sentRequest, today } from './support/forms.ts';

/**
 * One continuous record of help, in a browser, with axe-core on every page (verifyOnPage): a school's
 * request for help for a new child, sent by the demo practitioner; the demo manager decides on a
 * child and family assessment; the practitioner writes it and the manager authorises it; a child in
 * need plan starts with a goal in the family's words; a visit (the child seen alone, their words);
 * a step down to family help; closure with a reason. At each step the child's chronology shows the
 * new entry, and the manager's "who has looked at this record" page shows the practitioner's views.
 * The request and decision forms are run again with JavaScript off, mistakes first.
 */

const TIMEOUT = 300_000;

/** Opens the child's chronology and returns its text. */
async function chronology(hearth: HearthPage, childId: string): Promise<string> {
  await hearth.goto(`/children/${childId}/chronology`);
  await hearth.verifyOnPage({ title: 'Chronology' });
  return mainText(hearth);
}

async function fillRequest(hearth: HearthPage, child: { given: string; family: string }): Promise<void> {
  await fill(hearth, 'childGivenName', child.given);
  await fill(hearth, 'childFamilyName', child.family);
  await fillDate(hearth, 'childDateOfBirth', { day: '14', month: '6', year: '2016' });
  await choose(hearth, 'requesterKind', 'professional');
  await fill(hearth, 'requesterName', 'Ms Hannah Price');
  await fill(hearth, 'requesterRole', 'Designated safeguarding lead');
  await fill(hearth, 'requesterOrganisation', 'Shephall Green Primary School');
  await fill(hearth, 'requesterContact', '01632 960 101');
  await hearth.page.locator('[name="referralSource"]').selectOption('2A');
  await fill(hearth, 'worry', 'Comes to school hungry and tired; has missed 8 days this half term.');
  await fill(hearth, 'familyView', 'Mum agrees things are hard and wants help with money and mornings.');
  await fill(hearth, 'alreadyTried', 'Breakfast club and a food bank referral.');
  await fill(hearth, 'willKeepDoing', 'Breakfast club every day and a weekly check-in.');
  await choose(hearth, 'familyKnows', 'yes');
  await choose(hearth, 'familyConsents', 'yes');
  await choose(hearth, 'primaryNeed', 'N4');
}

async function fillDecision(hearth: HearthPage): Promise<void> {
  await choose(hearth, 'decision', 'assessment');
  await hearth.page.locator('[name="teamId"]').selectOption({ label: 'North family help team (North)' });
  await fill(
    hearth,
    'reason',
    'The school’s help has not been enough: we need to understand what is happening at home.',
  );
  await hearth.page.locator('input[name="thresholdId"]').first().check();
  await fill(hearth, 'feedback', 'Thank you: we will carry out a child and family assessment.');
}

describe('one continuous record of help in a browser', () => {
  const suite = browserSuite();

  test(
    'request, decision, assessment, child in need plan, visit, step down and closure (JavaScript on)',
    async () => {
      const sam = await suite.open({ javaScriptEnabled: true });
      const priya = await suite.open({ javaScriptEnabled: true });
      const child = { given: 'Kai', family: 'Testington' };
      const name = `${child.given} ${child.family}`;
      const date = today();
      try {
        await sam.signIn(demoAccount('practitioner'));
        await priya.signIn(demoAccount('manager'));

        // The practitioner takes a school's request for a child the council does not know yet.
        await sam.goto('/front-door');
        await sam.verifyOnPage({ title: 'Front door' });
        await sam.clickButton('Request help for a child');
        await sam.verifyOnPage({ title: 'Request help for a child' });
        await fillRequest(sam, child);
        await sam.clickButton('Send request');
        expect(sam.path()).toMatch(/^\/front-door\/requests\/[0-9a-f-]{36}\?done=/);
        await sam.verifyOnPage({ title: 'Request for help' });
        const { requestPath, childId } = await sentRequest(sam);
        expect(await chronology(sam, childId)).toContain('A request for help came from');

        // The manager sees it waiting at the front door and decides on an assessment.
        await priya.goto('/front-door');
        await priya.verifyOnPage({ title: 'Front door' });
        expect(await mainText(priya)).toContain(name);
        await openDecision(priya, requestPath);
        await fillDecision(priya);
        await priya.clickButton('Record the decision');
        expect(priya.path()).toBe(`${requestPath}?done=decided`);
        await priya.verifyOnPage({ title: 'Request for help' });
        expect(await chronology(sam, childId)).toContain('Decision on the request for help');

        // The child's page shows the help; the help page the assessment under way.
        await sam.goto(`/children/${childId}`);
        await sam.verifyOnPage({ title: name });
        expect(await mainText(sam)).toContain('Assessment');
        await sam.goto(`/children/${childId}/help`);
        await sam.verifyOnPage({ title: `Help for ${name}` });

        // The practitioner writes the assessment and sends it for authorisation.
        await sam.goto(`/children/${childId}/assessments`);
        await sam.verifyOnPage({ title: 'Assessments' });
        const assessmentHref = await sam.page
          .locator('main a[href*="/assessments/"]')
          .evaluateAll((as) =>
            as
              .map((a) => a.getAttribute('href') ?? '')
              .find((href) => /\/assessments\/[0-9a-f-]{36}$/.test(href)),
          );
        expect(assessmentHref).toBeTruthy();
        const assessmentPath = assessmentHref ?? '';
        await sam.goto(`${assessmentPath}/edit`);
        await sam.verifyOnPage({ title: 'Child and family assessment' });
        await fill(sam, 'familyAccount', 'Mum says the money ran out when she lost her job.');
        await fill(
          sam,
          'professionalAnalysis',
          'Kai is loved; the worries come from poverty and mum’s low mood.',
        );
        await fill(sam, 'childViews', 'Kai wants breakfast at home and to go to football.');
        await choose(sam, 'childSeen', 'yes');
        await choose(sam, 'factors', '4B');
        await choose(sam, 'need-food', 'yes');
        await fill(sam, 'detail-food', 'Food vouchers until the benefit claim is settled.');
        await choose(sam, 'outcome', 'child_in_need_plan');
        await sam.clickButton('Save and send for authorisation');
        expect(sam.path()).toBe(`${assessmentPath}?done=submitted`);
        await sam.verifyOnPage({ title: 'Child and family assessment' });

        // The manager authorises it.
        await priya.goto(`${assessmentPath}/authorise`);
        await priya.verifyOnPage({ title: 'Authorise the assessment' });
        await choose(priya, 'decision', 'authorise');
        await priya.clickButton('Save decision');
        await priya.verifyOnPage({ title: 'Assessment authorised' });
        expect(await chronology(sam, childId)).toContain('authorised by a manager');

        // A child in need plan, with a goal in the family's words, started today.
        await sam.goto(`/children/${childId}/plans/new`);
        await sam.verifyOnPage({ title: 'Write a plan with the family' });
        await choose(sam, 'kind', 'child_in_need');
        await sam.clickButton('Create the draft plan');
        await sam.verifyOnPage({ title: 'Child in need plan' });
        const planPath = sam.path().split('?')[0] ?? '';
        await sam.goto(`${planPath}/edit`);
        await sam.verifyOnPage({ title: 'What the family and the child say about the plan' });
        await fill(sam, 'familyWords', 'Mum: “Food in the cupboard and the heating on.”');
        await fill(sam, 'childWords', 'Kai: “Breakfast before school.”');
        await sam.clickButton('Save changes');
        await sam.verifyOnPage({ title: 'Child in need plan' });
        await sam.goto(`${planPath}/goals/new`);
        await sam.verifyOnPage({ title: 'Add a goal' });
        await fill(sam, 'goal', 'We will have enough food every week');
        await fill(sam, 'who', 'Mum will go to Citizens Advice with Sam');
        await sam.clickButton('Save goal');
        await sam.verifyOnPage({ title: 'Child in need plan' });
        await sam.goto(`${planPath}/start`);
        await sam.verifyOnPage({ title: 'Start the plan' });
        await fillDate(sam, 'startedOn', date);
        await sam.clickButton('Start the plan');
        await sam.verifyOnPage({ title: 'Child in need plan' });
        expect(await chronology(sam, childId)).toContain('child in need plan started');

        // A visit: the child seen alone, in their own words.
        await sam.goto(`/children/${childId}/visits/new`);
        await sam.verifyOnPage({ title: 'Record a visit' });
        await fillDate(sam, 'visitedOn', date);
        await choose(sam, 'kind', 'home');
        await choose(sam, 'statutory', 'yes');
        await choose(sam, 'childSeen', 'yes');
        await choose(sam, 'childSeenAlone', 'yes');
        await choose(sam, 'bedroomSeen', 'yes');
        await fill(sam, 'childsWords', 'I had cereal today.');
        await fill(sam, 'whatHappened', 'Home visit; Kai showed me his room.');
        await sam.clickButton('Save visit');
        await sam.verifyOnPage({ title: 'Visits' });
        expect(await chronology(sam, childId)).toMatch(
          /You were seen at home, and you talked with your worker on your own/,
        );

        // Step down to family help.
        await sam.goto(`/children/${childId}/help/step`);
        await sam.verifyOnPage({ title: 'Step the help up or down' });
        await choose(sam, 'to', 'family_help');
        await fillDate(sam, 'changedOn', date);
        await fill(sam, 'reason', 'Things are better at home: family help can carry on without social care.');
        await sam.clickButton('Change the help');
        await sam.verifyOnPage({ title: `Help for ${name}` });
        expect(await chronology(sam, childId)).toContain('Things are better at home');

        // Closure with a reason.
        await sam.goto(`/children/${childId}/help/close`);
        await sam.verifyOnPage({ title: 'Close the help' });
        await choose(sam, 'closureReason', 'RC7');
        await fillDate(sam, 'closedOn', date);
        await fill(sam, 'note', 'The family no longer need help; school will keep in touch.');
        await sam.clickButton('Close the help');
        await sam.verifyOnPage({ title: `Help for ${name}` });
        expect(await chronology(sam, childId)).toContain('The family no longer need help');

        await sam.goto('/work-tray');
        await sam.verifyOnPage({ title: 'Your work tray' });

        // The manager sees who has looked at the child's record: the practitioner, at each step.
        await priya.goto(`/children/${childId}/who-has-looked`);
        await priya.verifyOnPage({ title: 'Who has looked at this record' });
        const lookers = (await priya.tableRows()).map((row) => row[1]);
        expect(lookers).toContain(demoAccount('practitioner').name);
        expect(lookers).toContain(demoAccount('manager').name);

        sam.expectEveryPageChecked();
        priya.expectEveryPageChecked();
      } finally {
        await sam.close();
        await priya.close();
      }
    },
    TIMEOUT,
  );

  test(
    'the request and decision forms work with JavaScript off, mistakes first',
    async () => {
      const sam = await suite.open({ javaScriptEnabled: false });
      const priya = await suite.open({ javaScriptEnabled: false });
      try {
        await sam.signIn(demoAccount('practitioner'));
        await priya.signIn(demoAccount('manager'));
        await sam.goto('/front-door/requests/new');
        await sam.verifyOnPage({ title: 'Request help for a child' });
        await sam.clickButton('Send request');
        await sam.verifyOnPage({ title: 'Request help for a child', status: 400 });
        const summary = sam.page.locator('.govuk-error-summary');
        await expect(summary.innerText()).resolves.toContain('Enter the child’s first name');
        await fillRequest(sam, { given: 'Noor', family: 'Nojsworth' });
        await sam.clickButton('Send request');
        await sam.verifyOnPage({ title: 'Request for help' });
        const requestPath = sam.path().split('?')[0] ?? '';

        await priya.goto(`${requestPath}/decision`);
        await priya.verifyOnPage({ title: 'Decide on a request for help' });
        await priya.clickButton('Record the decision');
        await priya.verifyOnPage({ title: 'Decide on a request for help', status: 400 });
        await expect(priya.page.locator('.govuk-error-summary').innerText()).resolves.toContain(
          'Select the decision',
        );
        await fillDecision(priya);
        await priya.clickButton('Record the decision');
        expect(priya.path()).toBe(`${requestPath}?done=decided`);
        await priya.verifyOnPage({ title: 'Request for help' });
        sam.expectEveryPageChecked();
        priya.expectEveryPageChecked();
      } finally {
        await sam.close();
        await priya.close();
      }
    },
    TIMEOUT,
  );
});
