/**
 * The DfE validation rule files, shipped with Hearth (copied from ../shared/reference): the rule
 * codes in force for each collection year, with their severity and description.
 */
import { readFileSync } from 'node:fs';
import { parseRuleFile, type RuleText } from '../validation/rule.ts';

function load(name: string): Map<string, RuleText> {
  return parseRuleFile(readFileSync(new URL(name, import.meta.url), 'utf8'));
}

let cin: Map<string, RuleText> | undefined;
const ssda903 = new Map<string, Map<string, RuleText>>();

/** CIN census collection years Hearth validates; the 2025-26 rules are unchanged from 2024-25 and carry on until the DfE publishes a new set. */
export const CIN_YEARS = ['2024-25', '2025-26', '2026-27'] as const;
export const SSDA903_YEARS = ['2025-26', '2026-27'] as const;

export function cinRuleTexts(year: string): Map<string, RuleText> {
  if (!(CIN_YEARS as readonly string[]).includes(year)) {
    throw new RangeError(`No CIN census rules for ${year}: Hearth validates ${CIN_YEARS.join(', ')}`);
  }
  cin ??= load('./cin-census-rules-2025-26.tsv');
  return cin;
}

export function ssda903RuleTexts(year: string): Map<string, RuleText> {
  if (!(SSDA903_YEARS as readonly string[]).includes(year)) {
    throw new RangeError(`No SSDA903 rules for ${year}: Hearth validates ${SSDA903_YEARS.join(', ')}`);
  }
  let texts = ssda903.get(year);
  if (!texts) {
    texts = load(`./ssda903-rules-${year}.tsv`);
    ssda903.set(year, texts);
  }
  return texts;
}
