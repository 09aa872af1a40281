/** CIN census rules, part A (see index.ts for which codes each part holds). */
import type { CinRule } from './index.ts';
import { EPISODE_RULES } from './part-a/episodes.ts';
import { IDENTIFIER_RULES } from './part-a/identifiers.ts';
import { PLAN_RULES } from './part-a/plans.ts';

export const CIN_RULES_A: readonly CinRule[] = [...IDENTIFIER_RULES, ...EPISODE_RULES, ...PLAN_RULES];
