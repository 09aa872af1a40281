import { describe, expect, it } from 'vitest';
import {
  applyRedactions,
  bundleHtml,
  bundleText,
  containsProtected,
  maskProtected,
  postcodePattern,
  termPattern,
  type BundleItem,
  type ProtectedTerm,
} from './render.ts';

const header = {
  childName: 'Ellis Hartley',
  whatWanted: 'Everything',
  receivedOn: '2026-01-31',
  releasedOn: '2026-02-20',
  dateFrom: null,
  dateTo: null,
};

function terms(): ProtectedTerm[] {
  return [
    { pattern: termPattern('14 Larkspur Gardens') as RegExp, reason: 'serious_harm' },
    { pattern: postcodePattern('LS9 7QT') as RegExp, reason: 'serious_harm' },
  ];
}

describe('redaction', () => {
  it('finds protected terms in any case, across spaces, commas and line breaks, and postcodes without their space', () => {
    const text = 'At 14, LARKSPUR\ngardens (ls97qt) and LS9  7QT.';
    expect(maskProtected(text, terms())).toBe(
      'At [Removed. Reason: It could cause serious harm to someone] ([Removed. Reason: It could cause serious harm to someone]) and [Removed. Reason: It could cause serious harm to someone].',
    );
    expect(containsProtected(text, terms())).toBe(true);
    expect(containsProtected('214 Larkspur Gardenside', terms())).toBe(false);
  });

  it('ignores terms too short to be safe to match', () => {
    expect(termPattern('Flat')).toBeNull();
    expect(postcodePattern('LS9')).toBeNull();
  });

  it('merges overlapping removals and keeps every reason, and escapes everything it writes', () => {
    const item: BundleItem = {
      id: 'a',
      sourceType: 'visit',
      occurredOn: '2025-10-05',
      heading: 'Visit <home>',
      body: 'Mum said Dan at 14 Larkspur Gardens was <angry>.',
    };
    const [rendered] = applyRedactions(
      [item],
      [
        { itemId: 'a', scope: 'passage', passage: 'Dan at 14', reason: 'third_party', reasonText: null },
        { itemId: 'b', scope: 'item', passage: null, reason: 'legal_privilege', reasonText: null },
      ],
      terms(),
    );
    expect(rendered?.segments).toEqual([
      { kind: 'text', text: 'Mum said ' },
      {
        kind: 'removed',
        reasons: ['Information about someone else', 'It could cause serious harm to someone'],
      },
      { kind: 'text', text: ' was <angry>.' },
    ]);
    const html = bundleHtml(header, rendered ? [rendered] : []);
    expect(html).toContain('Visit &lt;home&gt;');
    expect(html).toContain('was &lt;angry&gt;.');
    expect(html).not.toContain('Dan');
    expect(html).not.toContain('Larkspur');
  });

  it('withholds a whole item with its stated reason, and shows the reason written for "other"', () => {
    const items: BundleItem[] = [
      { id: 'a', sourceType: 'chronology', occurredOn: null, heading: 'Event', body: 'Secret words' },
    ];
    const rendered = applyRedactions(
      items,
      [
        {
          itemId: 'a',
          scope: 'item',
          passage: null,
          reason: 'other',
          reasonText: 'A court case is still going on',
        },
      ],
      [],
    );
    const text = bundleText(header, rendered);
    expect(text).not.toContain('Secret words');
    expect(text).toContain('[This entry was withheld. Reason: A court case is still going on]');
  });
});
