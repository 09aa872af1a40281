import { describe, expect, test } from 'vitest';
import { demoAccount } from './support/accounts.ts';
import { browserSuite } from './support/suite.ts';
import { mainText } from './support/forms.ts';

/**
 * A performance analyst and the statutory returns, in a browser with JavaScript off, axe-core on
 * every page: a form sent with nothing chosen comes back with an error summary; a CIN census file
 * made elsewhere is uploaded and its problems are listed by child; the problems download as CSV.
 */

const CENSUS = `<?xml version="1.0" encoding="utf-8"?>
<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2026</Year><ReferenceDate>2026-03-31</ReferenceDate></CollectionDetails>
<Source><SourceLevel>L</SourceLevel><LEA>919</LEA><SoftwareCode>Other</SoftwareCode><Release>1</Release><SerialNo>001</SerialNo><DateTime>2026-04-02T09:00:00</DateTime></Source></Header>
<Children><Child><ChildIdentifiers><LAchildID>ELSEWHERE1</LAchildID><UPNunknown>UN1</UPNunknown><PersonBirthDate>2022-02-03</PersonBirthDate><Sex>F</Sex></ChildIdentifiers>
<ChildCharacteristics><Ethnicity>XXXX</Ethnicity><Disabilities><Disability>NONE</Disability></Disabilities></ChildCharacteristics>
<CINdetails><CINreferralDate>2025-09-01</CINreferralDate><ReferralSource>2A</ReferralSource><PrimaryNeedCode>N4</PrimaryNeedCode><ReferralNFA>true</ReferralNFA></CINdetails></Child></Children></Message>`;

describe('statutory returns in a browser', () => {
  const suite = browserSuite();

  test('an analyst checks a census file made elsewhere (JavaScript off)', async () => {
    const hearth = await suite.open({ javaScriptEnabled: false });
    try {
      await hearth.signIn(demoAccount('analyst'));
      await hearth.clickLink('Returns', hearth.page.getByRole('navigation', { name: 'Menu' }));
      await hearth.verifyOnPage({ title: 'Statutory returns' });

      await hearth.clickButton('Check the files');
      await hearth.verifyOnPage({ title: 'Statutory returns', status: 400 });
      const summary = await hearth.page.locator('.govuk-error-summary').getByRole('link').allInnerTexts();
      expect(summary).toEqual(['Choose what you are checking', 'Choose the files to check']);

      await hearth.page.getByLabel('A child in need census file (.xml)').check();
      await hearth.page.locator('select[name="checkYear"]').selectOption('2026');
      await hearth.page.locator('#files').setInputFiles({
        name: 'census.xml',
        mimeType: 'application/xml',
        buffer: Buffer.from(CENSUS),
      });
      await hearth.clickButton('Check the files');
      await hearth.verifyOnPage({ title: 'Check a child in need census file, year ending March 2026' });
      const text = await mainText(hearth);
      expect(text).toContain('Problems found');
      expect(text).toContain('ELSEWHERE1');
      expect(text).toContain('4220');
      const rows = await hearth.tableRows();
      expect(rows.some((row) => row.join(' ').includes('Ethnicity'))).toBe(true);
      const download = await hearth.page.request.get(
        `${hearth.path()}/download`.replace(/^/, new URL(hearth.page.url()).origin),
      );
      expect(download.status()).toBe(200);
      expect(await download.text()).toContain('4220');

      await hearth.clickLink('Statutory returns');
      await hearth.verifyOnPage({ title: 'Statutory returns' });
      expect(await mainText(hearth)).toContain('Check a child in need census file');
      await hearth.signOut();
      hearth.expectEveryPageChecked();
    } finally {
      await hearth.close();
    }
  }, 180_000);
});
