/**
 * The shape every validation rule of every return takes, and the engine that runs them.
 *
 * A rule is a small named function over one child (most rules), or an accumulator over the whole
 * return (the few "return-level" rules such as "more than 2% of children have no sex recorded").
 * Each rule carries its own fixtures: mutations of a valid baseline child that must make it fail,
 * and that must leave it passing. `rules.test.ts` runs every fixture of every rule, checks the
 * baseline passes every rule, and checks every rule code in the DfE rule files for each collection
 * year is implemented exactly once. Descriptions and severities come from the rule files
 * (`../reference/*.tsv`), never retyped.
 */
export type Severity = 'error' | 'query';

/** Where a rule found a problem: the table (CIN block or 903 file), the fields, and the row. */
export type Finding = {
  readonly table: string;
  readonly fields: readonly string[];
  /** 903: the data row in its file, 1-based, header not counted. CIN: the element's line. */
  readonly row?: number | undefined;
  /** The child the finding is about, when a return-level rule names one. */
  readonly child?: string | undefined;
};

export type Issue = Finding & {
  readonly rule: string;
  readonly severity: Severity;
  readonly description: string;
  /** 903: the file the row is in (`Episodes.csv`); CIN: the XML file. */
  readonly file?: string | undefined;
};

/** Fixture: mutate a fresh valid baseline child (and its fresh context) into the case to test. */
export type Mutator<C, X> = (child: C, ctx: X) => void;

export type ChildRule<C, X> = {
  readonly code: string;
  readonly scope?: 'child';
  /** Limit to some collection years (e.g. `['2026-27']`); default: every year whose rule file lists the code. */
  readonly years?: readonly string[];
  /** Override the rule file's severity (the 903 files carry none: default `error`). */
  readonly severity?: Severity;
  readonly check: (child: C, ctx: X) => readonly Finding[];
  readonly fixtures: { readonly pass: readonly Mutator<C, X>[]; readonly fail: readonly Mutator<C, X>[] };
};

export type ReturnRule<C, X> = {
  readonly code: string;
  readonly scope: 'return';
  readonly years?: readonly string[];
  readonly severity?: Severity;
  /** A fresh accumulator: `add` is called once per child, `finish` once at the end. */
  readonly start: () => {
    add: (child: C, ctx: X) => void;
    finish: (ctx: X) => readonly Finding[];
  };
  /** Each fixture is a whole return: one mutator per child (each applied to a fresh baseline). */
  readonly fixtures: {
    readonly pass: readonly (readonly Mutator<C, X>[])[];
    readonly fail: readonly (readonly Mutator<C, X>[])[];
  };
};

export type Rule<C, X> = ChildRule<C, X> | ReturnRule<C, X>;

export type RuleText = { readonly code: string; readonly severity: Severity; readonly description: string };

/** The rules that apply in one collection year, joined to their text; ready to run. */
export class RuleSet<C, X> {
  readonly childRules: readonly (ChildRule<C, X> & RuleText)[];
  readonly returnRules: readonly (ReturnRule<C, X> & RuleText)[];
  readonly year: string;

  constructor(rules: readonly Rule<C, X>[], texts: ReadonlyMap<string, RuleText>, year: string) {
    this.year = year;
    const child: (ChildRule<C, X> & RuleText)[] = [];
    const ret: (ReturnRule<C, X> & RuleText)[] = [];
    for (const rule of rules) {
      const text = texts.get(rule.code);
      if (!text) continue;
      if (rule.years && !rule.years.includes(year)) continue;
      const joined = { ...text, ...rule, severity: rule.severity ?? text.severity };
      if (rule.scope === 'return') ret.push(joined as ReturnRule<C, X> & RuleText);
      else child.push(joined as ChildRule<C, X> & RuleText);
    }
    this.childRules = child;
    this.returnRules = ret;
  }

  /** A validation run: feed children one at a time (memory is one child), then finish. */
  run(
    ctx: X,
    childId: (child: C) => string | undefined,
  ): {
    child: (c: C) => Issue[];
    finish: () => Issue[];
  } {
    const accumulators = this.returnRules.map((r) => ({ rule: r, acc: r.start() }));
    return {
      child: (c) => {
        const issues: Issue[] = [];
        const id = childId(c);
        for (const rule of this.childRules) {
          let findings: readonly Finding[];
          try {
            findings = rule.check(c, ctx);
          } catch (error) {
            throw new Error(`rule ${rule.code} failed on child ${id ?? '?'}`, { cause: error });
          }
          for (const f of findings) {
            issues.push({
              rule: rule.code,
              severity: rule.severity,
              description: rule.description,
              child: f.child ?? id,
              table: f.table,
              fields: f.fields,
              row: f.row,
            });
          }
        }
        for (const { acc } of accumulators) acc.add(c, ctx);
        return issues;
      },
      finish: () =>
        accumulators.flatMap(({ rule, acc }) =>
          acc.finish(ctx).map((f) => ({
            rule: rule.code,
            severity: rule.severity,
            description: rule.description,
            child: f.child,
            table: f.table,
            fields: f.fields,
            row: f.row,
          })),
        ),
    };
  }
}

/** Parse a DfE rule file (`code<TAB>severity<TAB>description`). Blank severity → error. */
export function parseRuleFile(text: string): Map<string, RuleText> {
  const out = new Map<string, RuleText>();
  const lines = text.split(/\r?\n/);
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const [code = '', severity = '', ...rest] = line.split('\t');
    out.set(code, {
      code,
      severity: severity.trim().toUpperCase() === 'QUERY' ? 'query' : 'error',
      description: rest.join('\t').trim(),
    });
  }
  return out;
}
