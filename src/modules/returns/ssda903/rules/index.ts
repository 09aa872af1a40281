/**
 * Every SSDA903 rule, gathered from the rule files of this folder: part A 101–234, part B 301–460,
 * part C 501–635, part D 700–710, 1000–1016, 3001, EPI, INT, NoE and the social worker (SW) rules.
 */
import { ssda903RuleTexts } from '../../reference/rule-files.ts';
import { RuleSet, type Rule } from '../../validation/rule.ts';
import type { Child903, Ssda903Context } from '../model.ts';
import { SSDA903_RULES_A } from './part-a.ts';
import { SSDA903_RULES_B } from './part-b.ts';
import { SSDA903_RULES_C } from './part-c.ts';
import { SSDA903_RULES_D } from './part-d.ts';

export type Ssda903Rule = Rule<Child903, Ssda903Context>;

export const SSDA903_RULES: readonly Ssda903Rule[] = [
  ...SSDA903_RULES_A,
  ...SSDA903_RULES_B,
  ...SSDA903_RULES_C,
  ...SSDA903_RULES_D,
];

export function ssda903RuleSet(year: string): RuleSet<Child903, Ssda903Context> {
  return new RuleSet(SSDA903_RULES, ssda903RuleTexts(year), year);
}
