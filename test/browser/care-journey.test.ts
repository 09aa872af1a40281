import { describe, expect, test } from 'vitest';
import { demoAccount } from './support/accounts.ts';
import type { HearthPage } from './support/hearth-page.ts';
import { browserSuite } from './support/suite.ts';
import { choose, fill, mainText, openDecision, sentRequest, today } from './support/forms.ts';

/**
 * A child in care, in a browser, with axe-core on every page (verifyOnPage): a school's request for
 * help for a new child; the demo manager decides on an assessment; the child comes into care under
 * section 20 with foster carers whose address is kept from the birth family; an interim care order,
 * then a care order; the first review with the plan for returning home; a move to kinship carers;
 * the letter to the parents (which never shows the hidden address); and the child returning home.
 */

const TIMEOUT = 300_000;

async function pick(hearth: HearthPage, name: string, value: string): Promise<void> {
  await hearth.page.locator(`select[name="${name}"]`).selectOption(value);
}

async function placement(
  hearth: HearthPage,
  values: { type: string; carer: string; address: string; postcode: string; cost: string; siblings: string },
): Promise<void> {
  await pick(hearth, 'placementType', values.type);
  await pick(hearth, 'provider', 'PR1');
  await fill(hearth, 'carerName', values.carer);
  await fill(hearth, 'address', values.address);
  await fill(hearth, 'postcode', values.postcode);
  await fill(hearth, 'weeklyCost', values.cost);
  await choose(hearth, 'withSiblings', values.siblings);
  // Kept from the birth family is already chosen: the default.
  expect(await hearth.page.locator('input[name="addressHidden"][value="yes"]').isChecked()).toBe(true);
}

describe('a child in care, with their family, in a browser', () => {
  const suite = browserSuite();

  test(
    'section 20, interim care order, care order, a review, a placement move, the parents’ letter and returning home',
    async () => {
      const sam = await suite.open({ javaScriptEnabled: true });
      const priya = await suite.open({ javaScriptEnabled: true });
      const date = today();
      try {
        await sam.signIn(demoAccount('practitioner'));
        await priya.signIn(demoAccount('manager'));

        // A new child through the front door, decided on an assessment by the manager.
        await sam.goto('/front-door/requests/new');
        await sam.verifyOnPage({ title: 'Request help for a child' });
        await fill(sam, 'childGivenName', 'Ellie');
        await fill(sam, 'childFamilyName', 'Carewell');
        await fill(sam, 'childDateOfBirth-day', '3');
        await fill(sam, 'childDateOfBirth-month', '9');
        await fill(sam, 'childDateOfBirth-year', '2017');
        await choose(sam, 'requesterKind', 'professional');
        await fill(sam, 'requesterName', 'Ms Hannah Price');
        await fill(sam, 'requesterRole', 'Designated safeguarding lead');
        await fill(sam, 'requesterOrganisation', 'Shephall Green Primary School');
        await fill(sam, 'requesterContact', '01632 960 101');
        await pick(sam, 'referralSource', '2A');
        await fill(sam, 'worry', 'Mum has been taken into hospital and there is nobody to look after Ellie.');
        await fill(sam, 'familyView', 'Mum wants Ellie looked after until she is well.');
        await fill(sam, 'alreadyTried', 'A neighbour had Ellie for two nights.');
        await fill(sam, 'willKeepDoing', 'School will keep Ellie’s place and check in daily.');
        await choose(sam, 'familyKnows', 'yes');
        await choose(sam, 'familyConsents', 'yes');
        await choose(sam, 'primaryNeed', 'N3');
        await sam.clickButton('Send request');
        await sam.verifyOnPage({ title: 'Request for help' });
        const { requestPath, childId } = await sentRequest(sam);
        const care = `/children/${childId}/care`;

        await openDecision(priya, requestPath);
        await choose(priya, 'decision', 'assessment');
        await priya.page.locator('[name="teamId"]').selectOption({ label: 'North family help team (North)' });
        await fill(priya, 'reason', 'Ellie has nobody to care for her while her mum is in hospital.');
        await priya.page.locator('input[name="thresholdId"]').first().check();
        await fill(priya, 'feedback', 'Thank you: we are making sure Ellie is looked after.');
        await priya.clickButton('Record the decision');
        await priya.verifyOnPage({ title: 'Request for help' });

        // Coming into care under section 20, a mistake first.
        await sam.goto(`/children/${childId}`);
        await sam.verifyOnPage({ title: 'Ellie Carewell' });
        await sam.clickLink('Care: periods of care, placements, reviews and leaving care');
        await sam.verifyOnPage({ title: 'Care' });
        await sam.clickButton('Record coming into care');
        await sam.verifyOnPage({ title: 'Coming into care' });
        await fill(sam, 'reason', 'Mum is in hospital and asked us to look after Ellie.');
        await sam.clickButton('Record coming into care');
        await sam.verifyOnPage({ title: 'Coming into care', status: 400 });
        expect(await sam.page.locator('.govuk-error-summary').innerText()).toContain(
          'Select the legal status',
        );
        expect(await sam.page.locator('[name="reason"]').inputValue()).toBe(
          'Mum is in hospital and asked us to look after Ellie.',
        );
        await choose(sam, 'legalStatus', 'V2');
        await choose(sam, 'categoryOfNeed', 'N3');
        await fill(sam, 'homePostcode', 'SG1 1AB');
        await placement(sam, {
          type: 'U5',
          carer: 'Mr and Mrs Oakfoster',
          address: '12 Quiet Close, St Albans',
          postcode: 'AL1 1AA',
          cost: '450',
          siblings: 'not_applicable',
        });
        await sam.clickButton('Record coming into care');
        expect(sam.path()).toBe(`${care}?done=started`);
        await sam.verifyOnPage({ title: 'Care' });
        expect(await mainText(sam)).toContain('Looked after since');
        expect(await mainText(sam)).toContain('Help now: looked after');

        // Interim care order, then a care order.
        for (const code of ['C1', 'C2']) {
          await sam.clickButton('Change the legal status');
          await sam.verifyOnPage({ title: 'Change the legal status' });
          await choose(sam, 'legalStatus', code);
          await sam.clickButton('Change the legal status');
          await sam.verifyOnPage({ title: 'Care' });
        }
        expect(await mainText(sam)).toContain('C2: Full care order');

        // The first review, with the plan for returning home.
        await sam.clickButton('Record a review');
        await sam.verifyOnPage({ title: 'Record a looked-after review' });
        await choose(sam, 'participation', 'PN1');
        await fill(sam, 'childView', 'I want to go home to Mum.');
        await fill(sam, 'familyView', 'Mum wants Ellie home as soon as she is well.');
        await choose(sam, 'returnHomeConsidered', 'yes');
        await fill(sam, 'returnHomeSteps', 'Mum leaves hospital and the family have help with mornings.');
        await fill(sam, 'returnHomeFamilyView', 'Mum and Nan want Ellie home before Easter.');
        await choose(sam, 'decision', 'continue');
        await sam.clickButton('Save the review');
        await sam.verifyOnPage({ title: 'Care' });
        expect(await mainText(sam)).toContain('Review 1 on');
        expect(await mainText(sam)).toContain('Mum and Nan want Ellie home before Easter.');

        // A move to her aunt, a kinship carer, still kept from the birth family.
        await sam.clickButton('Record a placement move');
        await sam.verifyOnPage({ title: 'Record a placement move' });
        await pick(sam, 'changeReason', 'CARPL');
        await fill(sam, 'changeNote', 'Ellie’s aunt was approved as her carer. Mum agreed.');
        await choose(sam, 'sameCarer', 'no');
        await placement(sam, {
          type: 'U2',
          carer: 'Aunt Grace Hiddenly',
          address: '3 Secret Row, Borehamwood',
          postcode: 'WD6 4AE',
          cost: '310.50',
          siblings: 'all',
        });
        await sam.clickButton('Record the move');
        await sam.verifyOnPage({ title: 'Care' });
        expect(sam.path()).toMatch(/done=moved&placement=/);

        // The letter to the parents: the kind of placement and carer, never the address or names.
        await sam.clickLink('Print a letter to the parents about the move');
        await sam.verifyOnPage({ title: 'Letter to parents about a move' });
        const letter = await mainText(sam);
        expect(letter).toContain('Ellie has moved to a new home');
        expect(letter).toContain('family or friends (kinship carers)');
        expect(letter).toContain('We are not able to share the address');
        for (const secret of ['Secret Row', 'WD6', 'Hiddenly', 'Quiet Close', 'AL1 1AA', 'Oakfoster'])
          expect(letter).not.toContain(secret);

        // Returning home: the period ends, the help carries on as child in need.
        await sam.goto(care);
        await sam.verifyOnPage({ title: 'Care' });
        await sam.clickButton('End the period of care');
        await sam.verifyOnPage({ title: 'End the period of care' });
        await pick(sam, 'reasonCeased', 'E13');
        await choose(sam, 'next', 'child_in_need');
        await fill(sam, 'note', 'Ellie is home with Mum; help with mornings carries on.');
        await sam.clickButton('End the period of care');
        await sam.verifyOnPage({ title: 'Care' });
        const after = await mainText(sam);
        expect(after).toContain('Help now: child in need');
        expect(after).toContain('Earlier periods of care');
        expect(after).toContain('E13');
        expect(date.year).not.toBe('');

        await sam.goto(`/children/${childId}/chronology`);
        await sam.verifyOnPage({ title: 'Chronology' });
        const chronology = await mainText(sam);
        expect(chronology).toContain('You came into care');
        expect(chronology).toContain('You moved to live with family or friends (kinship carers).');
        expect(chronology).not.toContain('Secret Row');

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
