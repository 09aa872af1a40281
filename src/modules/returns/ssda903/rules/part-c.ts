/** SSDA903 rules, part C (see index.ts for which codes each part holds). */
import type { Ssda903Rule } from './index.ts';
import { ADOPTION_RULES } from './part-c/adoption.ts';
import { EPISODE_RULES } from './part-c/episodes.ts';
import { HEADER_RULES } from './part-c/header.ts';
import { MISSING_RULES } from './part-c/missing.ts';
import { OC2_RULES } from './part-c/oc2.ts';

export const SSDA903_RULES_C: readonly Ssda903Rule[] = [
  ...EPISODE_RULES,
  ...ADOPTION_RULES,
  ...OC2_RULES,
  ...MISSING_RULES,
  ...HEADER_RULES,
];
