/** CIN census rules, part B (see index.ts for which codes each part holds). */
import type { CinRule } from './index.ts';
import { ASSESSMENT_RULES } from './part-b/assessments.ts';
import { CHILD_RULES } from './part-b/child.ts';
import { DETAILS_RULES } from './part-b/details.ts';
import { PROTECTION_RULES } from './part-b/protection.ts';

export const CIN_RULES_B: readonly CinRule[] = [
  ...CHILD_RULES,
  ...DETAILS_RULES,
  ...ASSESSMENT_RULES,
  ...PROTECTION_RULES,
];
