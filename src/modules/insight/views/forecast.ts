import type { InsightView } from '../types.ts';

/** Placeholder until its helper writes it (see /tmp/briefs). */
export const FORECAST: InsightView = {
  slug: 'forecast',
  title: 'A demand forecast',
  question: '',
  doc: 'forecast',
  filters: ['from', 'to'],
  figures: () => Promise.resolve([]),
};
