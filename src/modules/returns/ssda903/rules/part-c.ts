/** SSDA903 rules, part C (see index.ts for which codes each part holds). */
import type { Ssda903Rule } from './index.ts';

export const SSDA903_RULES_C: readonly Ssda903Rule[] = [];
