/** Every insight view, in the order the insight pages list them. */
import type { InsightView } from './types.ts';
import { BENCHMARKING } from './views/benchmarking.ts';
import { CARE_ENTRY } from './views/care-entry.ts';
import { CONTINUITY } from './views/continuity.ts';
import { ESCALATOR } from './views/escalator.ts';
import { FORECAST } from './views/forecast.ts';
import { FRONT_DOOR } from './views/front-door.ts';
import { INEQUALITIES } from './views/inequalities.ts';
import { PLACEMENTS } from './views/placements.ts';

export const INSIGHT_VIEWS: readonly InsightView[] = [
  FRONT_DOOR,
  ESCALATOR,
  INEQUALITIES,
  CARE_ENTRY,
  CONTINUITY,
  PLACEMENTS,
  BENCHMARKING,
  FORECAST,
];
