/** SSDA903 rules, part D (see index.ts for which codes each part holds). */
import type { Ssda903Rule } from './index.ts';
import { CARE_LEAVER_RULES } from './part-d/care-leavers.ts';
import { DOLO_RULES } from './part-d/dolo.ts';
import { EPISODE_RULES } from './part-d/episodes.ts';
import { INTEGRITY_RULES } from './part-d/integrity.ts';
import { SOCIAL_WORKER_RULES } from './part-d/social-workers.ts';

export const SSDA903_RULES_D: readonly Ssda903Rule[] = [
  ...DOLO_RULES,
  ...CARE_LEAVER_RULES,
  ...EPISODE_RULES,
  ...INTEGRITY_RULES,
  ...SOCIAL_WORKER_RULES,
];
