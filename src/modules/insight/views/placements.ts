import type { InsightView } from '../types.ts';

/** Placeholder until its helper writes it (see /tmp/briefs). */
export const PLACEMENTS: InsightView = {
  slug: 'placements',
  title: 'Placements and the care market',
  question: '',
  doc: 'placements',
  filters: ['from', 'to'],
  figures: () => Promise.resolve([]),
};
