/** CIN census rules, part A (see index.ts for which codes each part holds). */
import type { CinRule } from './index.ts';

export const CIN_RULES_A: readonly CinRule[] = [];
