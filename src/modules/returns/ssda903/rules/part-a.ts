/** SSDA903 rules, part A (see index.ts for which codes each part holds): 101-234, in ./part-a/. */
import type { Ssda903Rule } from './index.ts';
import { ADOPTION_RULES } from './part-a/adoption.ts';
import { EPISODE_RULES } from './part-a/episodes.ts';
import { HEADER_RULES } from './part-a/header.ts';
import { OUTCOME_RULES } from './part-a/outcomes.ts';

export const SSDA903_RULES_A: readonly Ssda903Rule[] = [
  ...HEADER_RULES,
  ...ADOPTION_RULES,
  ...OUTCOME_RULES,
  ...EPISODE_RULES,
];
