/**
 * Helpers shared by the part A CIN census rules: memoised date parsing, the code lists of
 * `cin-census-codes.tsv`, and small accessors used by the rule fixtures.
 */
import { readFileSync } from 'node:fs';
import { isoDay } from '../../../validation/dates.ts';
import type { CinChild, CinDetails, CinProtectionPlan } from '../../model.ts';

const dayCache = new Map<string, number | null>();

/**
 * `isoDay` with a bounded cache: a census repeats the same few hundred dates across thousands of
 * children and dozens of rules, so parsing each distinct string once keeps validation fast.
 */
export function day(value: string | undefined): number | null {
  if (value === undefined) return null;
  const cached = dayCache.get(value);
  if (cached !== undefined) return cached;
  const parsed = isoDay(value);
  if (dayCache.size > 50_000) dayCache.clear();
  dayCache.set(value, parsed);
  return parsed;
}

/** The census's yes/no items: `true` or `1` (any case, trimmed) mean yes. */
export function isTrue(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  return v === 'true' || v === '1';
}

/**
 * One code list of `cin-census-codes.tsv` for a rule: the row of the latest collection year that
 * defines it (a later year replaces an earlier list for the same rule).
 */
export function cinCodeList(rule: string, listName: string): ReadonlySet<string> {
  const text = readFileSync(new URL('../../../reference/cin-census-codes.tsv', import.meta.url), 'utf8');
  let best: { year: string; codes: string } | undefined;
  for (const line of text.split(/\r?\n/).slice(1)) {
    const [year = '', code = '', , list = '', codes = ''] = line.split('\t');
    if (code !== rule || list !== listName) continue;
    if (!best || year > best.year) best = { year, codes };
  }
  if (!best) throw new Error(`no code list ${listName} for CIN rule ${rule}`);
  return new Set(best.codes.split(',').map((c) => c.trim()));
}

/** Fixture accessor: the child's nth CINdetails (the baseline has one). */
export function episode(child: CinChild, index = 0): CinDetails {
  const d = child.cinDetails[index];
  if (!d) throw new Error(`fixture child has no CINdetails ${index}`);
  return d;
}

/** Fixture accessor: the first child protection plan of the first episode. */
export function plan(child: CinChild): CinProtectionPlan {
  const p = episode(child).childProtectionPlans[0];
  if (!p) throw new Error('fixture child has no child protection plan');
  return p;
}

/** A copy of the baseline episode, for fixtures that need a second referral. */
export function copyEpisode(child: CinChild): CinDetails {
  return structuredClone(episode(child));
}
