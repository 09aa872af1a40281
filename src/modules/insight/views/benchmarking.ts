import type { InsightView } from '../types.ts';

/** Placeholder until its helper writes it (see /tmp/briefs). */
export const BENCHMARKING: InsightView = {
  slug: 'benchmarking',
  title: 'Benchmarking',
  question: '',
  doc: 'benchmarking',
  filters: ['from', 'to'],
  figures: () => Promise.resolve([]),
};
