/** SSDA903 rules, part B (see index.ts for which codes each part holds): 301–460. */
import type { Ssda903Rule } from './index.ts';
import { CHILD_RULES } from './part-b/child-rules.ts';
import { EPISODE_RULES } from './part-b/episode-rules.ts';
import { SEQUENCE_RULES } from './part-b/sequence-rules.ts';

export const SSDA903_RULES_B: readonly Ssda903Rule[] = [...CHILD_RULES, ...EPISODE_RULES, ...SEQUENCE_RULES];
