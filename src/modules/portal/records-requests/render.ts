import type { RecordsItemSource, RedactionReason } from '../records-requests.table.ts';

/**
 * Turning the assembled items and their redactions into what the family reads. Pure: no database.
 * Redacted text is never copied into the output: it is cut out and the reason put in its place.
 */

export const REDACTION_REASONS: Readonly<Record<RedactionReason, string>> = {
  third_party: 'Information about someone else',
  serious_harm: 'It could cause serious harm to someone',
  legal_privilege: 'Legal advice we do not have to share',
  other: 'Other reason',
};

export function isRedactionReason(value: string): value is RedactionReason {
  return Object.hasOwn(REDACTION_REASONS, value);
}

/** The words the reader sees in place of something removed. */
export function reasonWords(reason: RedactionReason, reasonText: string | null): string {
  if (reason === 'other') return reasonText?.trim() ?? REDACTION_REASONS.other;
  return REDACTION_REASONS[reason];
}

export type BundleItem = {
  readonly id: string;
  readonly sourceType: RecordsItemSource;
  readonly occurredOn: string | null;
  readonly heading: string;
  readonly body: string;
};

export type BundleRedaction = {
  readonly itemId: string;
  readonly scope: 'item' | 'passage';
  readonly passage: string | null;
  readonly reason: RedactionReason;
  readonly reasonText: string | null;
};

/**
 * Text that must never reach the family whoever prepares the bundle (a hidden address, a hidden
 * carer's name, a restricted person's name): removed wherever it appears, with its reason.
 */
export type ProtectedTerm = {
  readonly pattern: RegExp;
  readonly reason: RedactionReason;
};

export type Segment =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'removed'; readonly reasons: readonly string[] };

export type RenderedItem = {
  readonly heading: string;
  readonly occurredOn: string | null;
  /** Null when the whole item is withheld. */
  readonly segments: readonly Segment[] | null;
  readonly withheldReasons: readonly string[];
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A passage as a pattern: any case, any run of spaces or line breaks where the passage has one. */
export function passagePattern(passage: string): RegExp {
  const words = passage.trim().split(/\s+/).filter(Boolean).map(escapeRegExp);
  return new RegExp(words.join('\\s+'), 'giu');
}

/** An address line or name: any case, words separated by spaces, commas or line breaks. */
export function termPattern(term: string): RegExp | null {
  const words = term
    .trim()
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(escapeRegExp);
  if (words.join('').length < 5) return null;
  return new RegExp(`(?<![\\p{L}\\p{N}])${words.join('[\\s,]+')}(?![\\p{L}\\p{N}])`, 'giu');
}

/** A postcode, with or without its space, any case. */
export function postcodePattern(postcode: string): RegExp | null {
  const chars = postcode.replace(/\s+/g, '').split('').map(escapeRegExp);
  if (chars.length < 5) return null;
  return new RegExp(`(?<![\\p{L}\\p{N}])${chars.join('\\s*')}(?![\\p{L}\\p{N}])`, 'giu');
}

type Range = { start: number; end: number; reasons: string[] };

function rangesOf(text: string, pattern: RegExp, reason: string): Range[] {
  const ranges: Range[] = [];
  const global = new RegExp(
    pattern.source,
    pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`,
  );
  for (const match of text.matchAll(global)) {
    if (match[0].length === 0) continue;
    ranges.push({ start: match.index, end: match.index + match[0].length, reasons: [reason] });
  }
  return ranges;
}

/** Cuts every range out of the text, merging overlapping ones (their reasons together). */
export function cutOut(text: string, ranges: readonly Range[]): Segment[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Range[] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last && range.start <= last.end) {
      last.end = Math.max(last.end, range.end);
      for (const reason of range.reasons) if (!last.reasons.includes(reason)) last.reasons.push(reason);
    } else {
      merged.push({ start: range.start, end: range.end, reasons: [...range.reasons] });
    }
  }
  const segments: Segment[] = [];
  let at = 0;
  for (const range of merged) {
    if (range.start > at) segments.push({ kind: 'text', text: text.slice(at, range.start) });
    segments.push({ kind: 'removed', reasons: range.reasons });
    at = range.end;
  }
  if (at < text.length) segments.push({ kind: 'text', text: text.slice(at) });
  return segments;
}

/** A line of text (a heading, what was asked for) with every protected term replaced by its reason. */
export function maskProtected(text: string, protectedTerms: readonly ProtectedTerm[]): string {
  const ranges = protectedTerms.flatMap((t) => rangesOf(text, t.pattern, REDACTION_REASONS[t.reason]));
  return cutOut(text, ranges)
    .map((s) => (s.kind === 'text' ? s.text : removedWords(s.reasons)))
    .join('');
}

/** Applies the preparer's redactions and the protected terms to every item. */
export function applyRedactions(
  items: readonly BundleItem[],
  redactions: readonly BundleRedaction[],
  protectedTerms: readonly ProtectedTerm[],
): RenderedItem[] {
  return items.map((item) => {
    const mine = redactions.filter((r) => r.itemId === item.id);
    const whole = mine.filter((r) => r.scope === 'item');
    const headingText = maskProtected(item.heading, protectedTerms);
    if (whole.length > 0) {
      return {
        heading: headingText,
        occurredOn: item.occurredOn,
        segments: null,
        withheldReasons: [...new Set(whole.map((r) => reasonWords(r.reason, r.reasonText)))],
      };
    }
    const ranges: Range[] = [];
    for (const redaction of mine) {
      if (redaction.passage === null) continue;
      ranges.push(
        ...rangesOf(
          item.body,
          passagePattern(redaction.passage),
          reasonWords(redaction.reason, redaction.reasonText),
        ),
      );
    }
    for (const term of protectedTerms)
      ranges.push(...rangesOf(item.body, term.pattern, REDACTION_REASONS[term.reason]));
    return {
      heading: headingText,
      occurredOn: item.occurredOn,
      segments: cutOut(item.body, ranges),
      withheldReasons: [],
    };
  });
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const LONG_DATE = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
function longDate(iso: string | null): string {
  return iso ? LONG_DATE.format(new Date(`${iso.slice(0, 10)}T12:00:00Z`)) : '';
}

export type BundleHeader = {
  readonly childName: string;
  readonly whatWanted: string;
  readonly receivedOn: string;
  readonly releasedOn: string;
  readonly dateFrom: string | null;
  readonly dateTo: string | null;
};

function removedWords(reasons: readonly string[]): string {
  return `[Removed. Reason: ${reasons.join('; ')}]`;
}

/** The bundle as an HTML fragment (GOV.UK classes; every value escaped). */
export function bundleHtml(header: BundleHeader, items: readonly RenderedItem[]): string {
  const parts: string[] = [];
  parts.push('<div class="records-bundle">');
  parts.push(`<h2 class="govuk-heading-m">Records about ${escapeHtml(header.childName)}</h2>`);
  parts.push('<dl class="govuk-summary-list">');
  const rows: [string, string][] = [
    ['What you asked for', header.whatWanted],
    ['We got your request on', longDate(header.receivedOn)],
    ['We sent these records on', longDate(header.releasedOn)],
  ];
  if (header.dateFrom || header.dateTo) {
    rows.push([
      'Dates covered',
      `${header.dateFrom ? longDate(header.dateFrom) : 'The start'} to ${header.dateTo ? longDate(header.dateTo) : 'now'}`,
    ]);
  }
  for (const [key, value] of rows) {
    parts.push(
      `<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">${escapeHtml(key)}</dt><dd class="govuk-summary-list__value">${escapeHtml(value)}</dd></div>`,
    );
  }
  parts.push('</dl>');
  parts.push(
    '<p class="govuk-body">Where we took something out, we say why in its place. You can ask us about it. You can also complain to the Information Commissioner’s Office.</p>',
  );
  if (items.length === 0)
    parts.push('<p class="govuk-body">We found no records for the dates you asked about.</p>');
  for (const item of items) {
    parts.push('<div class="records-bundle__item">');
    parts.push(`<h3 class="govuk-heading-s">${escapeHtml(item.heading)}</h3>`);
    if (item.occurredOn) parts.push(`<p class="govuk-body-s">${escapeHtml(longDate(item.occurredOn))}</p>`);
    if (item.segments === null) {
      parts.push(
        `<p class="govuk-body"><strong>${escapeHtml(`[This entry was withheld. Reason: ${item.withheldReasons.join('; ')}]`)}</strong></p>`,
      );
    } else {
      const body = item.segments
        .map((s) =>
          s.kind === 'text'
            ? escapeHtml(s.text)
            : `<strong class="records-bundle__removed">${escapeHtml(removedWords(s.reasons))}</strong>`,
        )
        .join('')
        .replace(/\r?\n/g, '<br>');
      parts.push(`<p class="govuk-body">${body}</p>`);
    }
    parts.push('</div>');
  }
  parts.push('</div>');
  return parts.join('\n');
}

/** The same bundle as plain text. */
export function bundleText(header: BundleHeader, items: readonly RenderedItem[]): string {
  const lines: string[] = [];
  lines.push(`Records about ${header.childName}`, '');
  lines.push(`What you asked for: ${header.whatWanted}`);
  lines.push(`We got your request on: ${longDate(header.receivedOn)}`);
  lines.push(`We sent these records on: ${longDate(header.releasedOn)}`);
  if (header.dateFrom || header.dateTo) {
    lines.push(
      `Dates covered: ${header.dateFrom ? longDate(header.dateFrom) : 'The start'} to ${header.dateTo ? longDate(header.dateTo) : 'now'}`,
    );
  }
  lines.push('', 'Where we took something out, we say why in its place.', '');
  if (items.length === 0) lines.push('We found no records for the dates you asked about.');
  for (const item of items) {
    lines.push(`== ${item.heading}${item.occurredOn ? ` (${longDate(item.occurredOn)})` : ''}`);
    if (item.segments === null)
      lines.push(`[This entry was withheld. Reason: ${item.withheldReasons.join('; ')}]`);
    else
      lines.push(item.segments.map((s) => (s.kind === 'text' ? s.text : removedWords(s.reasons))).join(''));
    lines.push('');
  }
  return lines.join('\n');
}

/** A standalone HTML document for download. */
export function bundleDocument(title: string, fragment: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:Arial,sans-serif;max-width:40em;margin:1em auto;padding:0 1em;line-height:1.5}dt{font-weight:bold}.records-bundle__removed{background:#f3f2f1;border:1px solid #0b0c0c;padding:0 .2em}</style>
</head>
<body>
${fragment}
</body>
</html>
`;
}

/** True when any protected term appears in the text (a last check before anything is released). */
export function containsProtected(text: string, protectedTerms: readonly ProtectedTerm[]): boolean {
  return protectedTerms.some((term) =>
    new RegExp(term.pattern.source, term.pattern.flags.replace('g', '')).test(text),
  );
}
