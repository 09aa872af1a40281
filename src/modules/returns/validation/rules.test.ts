/**
 * Every validation rule of every return, tested from its own fixtures: each failing fixture must
 * raise the rule, each passing fixture must not, and the baseline child passes every rule. Every
 * rule code in the DfE rule files for each collection year is implemented exactly once.
 */
import { describe, expect, it } from 'vitest';
import { baselineCinChild, cinContext, type CinChild, type CinContext } from '../cin/model.ts';
import { CIN_RULES } from '../cin/rules/index.ts';
import {
  CIN_YEARS,
  cinRuleTexts,
  SSDA903_YEARS,
  ssda903RuleTexts,
} from '../reference/rule-files.ts';
import { baseline903Child, ssda903Context, type Child903, type Ssda903Context } from '../ssda903/model.ts';
import { SSDA903_RULES } from '../ssda903/rules/index.ts';
import type { Finding, Mutator, Rule } from './rule.ts';

function findings<C, X>(
  rule: Rule<C, X>,
  mutators: readonly Mutator<C, X>[],
  baseline: () => C,
  context: () => X,
): readonly Finding[] {
  const ctx = context();
  if (rule.scope === 'return') {
    const acc = rule.start();
    for (const mutate of mutators) {
      const child = baseline();
      mutate(child, ctx);
      acc.add(child, ctx);
    }
    return acc.finish(ctx);
  }
  const child = baseline();
  for (const mutate of mutators) mutate(child, ctx);
  return rule.check(child, ctx);
}

function fixtureSuite<C, X>(
  name: string,
  rules: readonly Rule<C, X>[],
  yearOf: (rule: Rule<C, X>) => { baseline: () => C; context: () => X } | undefined,
): void {
  describe(name, () => {
    for (const rule of rules) {
      const setup = yearOf(rule);
      describe(`rule ${rule.code}`, () => {
        it('is in a rule file for a year it is limited to', () => {
          expect(setup).toBeDefined();
        });
        if (!setup) return;
        it('has a failing and a passing fixture', () => {
          expect(rule.fixtures.fail.length).toBeGreaterThan(0);
          expect(rule.fixtures.pass.length).toBeGreaterThan(0);
        });
        rule.fixtures.fail.forEach((fixture, i) => {
          it(`raises on failing fixture ${i + 1}`, () => {
            const found = findings(rule, asList(rule, fixture), setup.baseline, setup.context);
            expect(found.length).toBeGreaterThan(0);
            for (const f of found) expect(f.table).not.toBe('');
          });
        });
        rule.fixtures.pass.forEach((fixture, i) => {
          it(`stays quiet on passing fixture ${i + 1}`, () => {
            expect(findings(rule, asList(rule, fixture), setup.baseline, setup.context)).toEqual([]);
          });
        });
      });
    }
  });
}

/** A child rule's fixture is one mutator; a return rule's fixture is a list (one per child). */
function asList<C, X>(rule: Rule<C, X>, fixture: unknown): readonly Mutator<C, X>[] {
  return rule.scope === 'return'
    ? (fixture as readonly Mutator<C, X>[])
    : [fixture as Mutator<C, X>];
}

function coverage(
  name: string,
  years: readonly string[],
  texts: (year: string) => Map<string, unknown>,
  rules: readonly { code: string; years?: readonly string[] }[],
): void {
  describe(`${name} rule coverage`, () => {
    it('implements no rule twice', () => {
      const seen = new Set<string>();
      const twice = rules.map((r) => r.code).filter((c) => (seen.has(c) ? true : (seen.add(c), false)));
      expect(twice).toEqual([]);
    });
    for (const year of years) {
      it(`implements every ${year} rule`, () => {
        const implemented = new Set(
          rules.filter((r) => !r.years || r.years.includes(year)).map((r) => r.code),
        );
        const missing = [...texts(year).keys()].filter((code) => !implemented.has(code));
        expect(missing).toEqual([]);
      });
    }
  });
}

const cinYear = '2025-26';
fixtureSuite<CinChild, CinContext>('CIN census rules', CIN_RULES, (rule) =>
  cinRuleTexts(cinYear).has(rule.code) && (!rule.years || rule.years.includes(cinYear))
    ? { baseline: baselineCinChild, context: () => cinContext(2026) }
    : undefined,
);

function ssdaEndYear(rule: Rule<Child903, Ssda903Context>): number | undefined {
  const year = SSDA903_YEARS.find(
    (y) => ssda903RuleTexts(y).has(rule.code) && (!rule.years || rule.years.includes(y)),
  );
  return year ? Number(year.slice(0, 4)) + 1 : undefined;
}

fixtureSuite<Child903, Ssda903Context>('SSDA903 rules', SSDA903_RULES, (rule) => {
  const endYear = ssdaEndYear(rule);
  return endYear === undefined
    ? undefined
    : { baseline: () => baseline903Child(endYear), context: () => ssda903Context(endYear) };
});

describe('the baseline children', () => {
  it('pass every CIN census rule', () => {
    const ctx = cinContext(2026);
    const failed = CIN_RULES.filter((r) => findings(r, [() => undefined], baselineCinChild, () => ctx).length > 0);
    expect(failed.map((r) => r.code)).toEqual([]);
  });
  for (const year of SSDA903_YEARS) {
    it(`pass every SSDA903 rule for ${year}`, () => {
      const endYear = Number(year.slice(0, 4)) + 1;
      const failed = SSDA903_RULES.filter(
        (r) =>
          ssda903RuleTexts(year).has(r.code) &&
          (!r.years || r.years.includes(year)) &&
          findings(r, [() => undefined], () => baseline903Child(endYear), () => ssda903Context(endYear))
            .length > 0,
      );
      expect(failed.map((r) => r.code)).toEqual([]);
    });
  }
});

coverage('CIN census', CIN_YEARS, cinRuleTexts, CIN_RULES);
coverage('SSDA903', SSDA903_YEARS, ssda903RuleTexts, SSDA903_RULES);
