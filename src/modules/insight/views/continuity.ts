import type { InsightView } from '../types.ts';

/** Placeholder until its helper writes it (see /tmp/briefs). */
export const CONTINUITY: InsightView = {
  slug: 'continuity',
  title: 'Continuity',
  question: '',
  doc: 'continuity',
  filters: ['from', 'to'],
  figures: () => Promise.resolve([]),
};
