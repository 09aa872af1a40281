import type { InsightView } from '../types.ts';

/** Placeholder until its helper writes it (see /tmp/briefs). */
export const CARE_ENTRY: InsightView = {
  slug: 'care-entry',
  title: 'Who enters care and what came before',
  question: '',
  doc: 'care-entry',
  filters: ['from', 'to'],
  figures: () => Promise.resolve([]),
};
