/** Every CIN census rule, gathered from the rule files of this folder: part A 100–8525Q, part B 8530Q–8950Q. */
import { cinRuleTexts } from '../../reference/rule-files.ts';
import { RuleSet, type Rule } from '../../validation/rule.ts';
import type { CinChild, CinContext } from '../model.ts';
import { CIN_RULES_A } from './part-a.ts';
import { CIN_RULES_B } from './part-b.ts';

export type CinRule = Rule<CinChild, CinContext>;

export const CIN_RULES: readonly CinRule[] = [...CIN_RULES_A, ...CIN_RULES_B];

export function cinRuleSet(year: string): RuleSet<CinChild, CinContext> {
  return new RuleSet(CIN_RULES, cinRuleTexts(year), year);
}
