/** SSDA903 rules, part A (see index.ts for which codes each part holds). */
import type { Ssda903Rule } from './index.ts';

export const SSDA903_RULES_A: readonly Ssda903Rule[] = [];
