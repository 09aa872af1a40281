/**
 * The published-statistics measures benchmarking shows, worked out from the DfE tables shipped in
 * reference-data/dfe/ (docs/insight/benchmarking.md gives each definition), and the statistical
 * neighbours (the DfE's 2025 model, sn_model_2025_wide.csv: each authority's ten most similar).
 *
 * Loaded once per process (about 150 kB compressed) and kept in memory.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { BENCHMARK_DIR } from './sources.ts';

export const ENGLAND = 'E92000001';

export type MeasureKey =
  | 'cin_rate'
  | 'referral_rate'
  | 'rereferral_percent'
  | 'cp_rate'
  | 'cp_subsequent_percent'
  | 'cla_rate'
  | 'cla_three_placements_percent'
  | 'cla_long_term_stability_percent'
  | 'care_leavers_suitable_percent'
  | 'care_leavers_eet_percent'
  | 'sw_turnover_percent'
  | 'sw_agency_percent';

export type Measure = {
  readonly key: MeasureKey;
  readonly label: string;
  readonly unit: 'per 10,000 children' | 'per cent';
  /** Whether a higher figure is generally the better one (shown as a note, never as a judgement). */
  readonly definition: string;
};

export const MEASURES: readonly Measure[] = [
  {
    key: 'cin_rate',
    label: 'Children in need at 31 March',
    unit: 'per 10,000 children',
    definition:
      'Children in need at 31 March (CIN census) per 10,000 children aged 0 to 17 (ONS mid-year estimate of the year before).',
  },
  {
    key: 'referral_rate',
    label: 'Referrals in the year',
    unit: 'per 10,000 children',
    definition:
      'Referrals to children’s social care in the year to 31 March per 10,000 children aged 0 to 17.',
  },
  {
    key: 'rereferral_percent',
    label: 'Re-referrals within 12 months',
    unit: 'per cent',
    definition:
      'Referrals in the year made within 12 months of a previous referral of the same child, as a percentage of all referrals.',
  },
  {
    key: 'cp_rate',
    label: 'Child protection plans at 31 March',
    unit: 'per 10,000 children',
    definition: 'Children subject to a child protection plan at 31 March per 10,000 children aged 0 to 17.',
  },
  {
    key: 'cp_subsequent_percent',
    label: 'Second or later child protection plans',
    unit: 'per cent',
    definition:
      'Child protection plans starting in the year that were a second or later plan for the child, as a percentage of plans starting.',
  },
  {
    key: 'cla_rate',
    label: 'Children looked after at 31 March',
    unit: 'per 10,000 children',
    definition:
      'Children looked after at 31 March per 10,000 children aged 0 to 17, as the DfE publishes it.',
  },
  {
    key: 'cla_three_placements_percent',
    label: 'Three or more placements in the year',
    unit: 'per cent',
    definition:
      'Children looked after at 31 March who had three or more placements during the year, as a percentage of children looked after at 31 March.',
  },
  {
    key: 'cla_long_term_stability_percent',
    label: 'Living with the same carer for two years',
    unit: 'per cent',
    definition:
      'Children under 16 looked after for at least two and a half years at 31 March who had lived with the same carer for at least two years.',
  },
  {
    key: 'care_leavers_suitable_percent',
    label: 'Care leavers aged 19 to 21 in suitable accommodation',
    unit: 'per cent',
    definition:
      'Care leavers aged 19 to 21 whose accommodation was considered suitable, as a percentage of all care leavers of that age.',
  },
  {
    key: 'care_leavers_eet_percent',
    label: 'Care leavers aged 19 to 21 in education, employment or training',
    unit: 'per cent',
    definition:
      'Care leavers aged 19 to 21 in education, employment or training, as a percentage of all care leavers of that age.',
  },
  {
    key: 'sw_turnover_percent',
    label: 'Children’s social worker turnover',
    unit: 'per cent',
    definition:
      'Full-time-equivalent children’s social workers who left in the year to 30 September, as a percentage of those in post.',
  },
  {
    key: 'sw_agency_percent',
    label: 'Agency children’s social workers',
    unit: 'per cent',
    definition:
      'Full-time-equivalent agency children’s social workers at 30 September, as a percentage of all (agency and in post).',
  },
];

/** area code (new_la_code, or ENGLAND) → year → value. */
export type Series = ReadonlyMap<string, ReadonlyMap<number, number>>;

export type Neighbour = { readonly code: string; readonly name: string; readonly closeness: string };

export type Benchmarks = {
  readonly series: ReadonlyMap<MeasureKey, Series>;
  /** new_la_code → authority name. */
  readonly names: ReadonlyMap<string, string>;
  /** new_la_code → its ten statistical neighbours, closest first. */
  readonly neighbours: ReadonlyMap<string, readonly Neighbour[]>;
};

type Row = Record<string, string>;

function readRows(dir: string, file: string): Row[] {
  const text = gunzipSync(readFileSync(join(dir, file))).toString('utf8');
  return parse<Row>(text, { columns: true, skip_empty_lines: true });
}

/** A published number; suppressed or not applicable markers (c, k, u, x, z, low) and blanks are null. */
export function publishedNumber(text: string | undefined): number | null {
  if (text === undefined) return null;
  const trimmed = text.trim().replaceAll(',', '');
  if (!/^-?\d+(\.\d+)?$/.test(trimmed)) return null;
  return Number(trimmed);
}

function areaOf(row: Row): string | undefined {
  if (row['geographic_level'] === 'National') return ENGLAND;
  const code = row['new_la_code'];
  return code === undefined || code === '' ? undefined : code;
}

class SeriesBuilder {
  readonly data = new Map<string, Map<number, number>>();
  set(area: string, year: number, value: number | null): void {
    if (value === null || !Number.isFinite(value)) return;
    let byYear = this.data.get(area);
    if (byYear === undefined) {
      byYear = new Map();
      this.data.set(area, byYear);
    }
    byYear.set(year, value);
  }
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

/** Reads the shipped tables (or a folder in the same format) into the measures. */
export function loadBenchmarks(dir: string = BENCHMARK_DIR): Benchmarks {
  const names = new Map<string, string>([[ENGLAND, 'England']]);
  // The latest year's code wins (Buckinghamshire, Northamptonshire, Cumbria and North Yorkshire changed).
  const oldToNew = new Map<string, { code: string; year: number }>();
  const rowsOf = (file: string): { row: Row; area: string; year: number }[] =>
    readRows(dir, file).flatMap((row) => {
      const area = areaOf(row);
      const year = Number(row['time_period']);
      if (area === undefined || !Number.isInteger(year)) return [];
      if (area !== ENGLAND) {
        names.set(area, row['la_name'] ?? area);
        const old = row['old_la_code'];
        const seen = old === undefined ? undefined : oldToNew.get(old);
        if (old !== undefined && old !== '' && (seen === undefined || seen.year < year)) {
          oldToNew.set(old, { code: area, year });
        }
      }
      return [{ row, area, year }];
    });

  // Population for reporting year T (to 31 March T) is the ONS mid-year estimate for T - 1.
  const population = new Map<string, number>();
  for (const { row, area, year } of rowsOf('population.csv.gz')) {
    const value = publishedNumber(row['population_estimate']);
    if (value !== null && value > 0) population.set(`${area}|${String(year + 1)}`, value);
  }
  const perTenThousand = (count: number | null, area: string, year: number): number | null => {
    const pop = population.get(`${area}|${String(year)}`);
    return count === null || pop === undefined ? null : round1((count / pop) * 10_000);
  };

  const series = new Map<MeasureKey, SeriesBuilder>(MEASURES.map((m) => [m.key, new SeriesBuilder()]));
  const put = (key: MeasureKey, area: string, year: number, value: number | null): void => {
    series.get(key)?.set(area, year, value);
  };

  for (const { row, area, year } of rowsOf('children_in_need.csv.gz')) {
    put('cin_rate', area, year, perTenThousand(publishedNumber(row['At31_episodes']), area, year));
  }
  for (const { row, area, year } of rowsOf('referrals.csv.gz')) {
    put('referral_rate', area, year, perTenThousand(publishedNumber(row['referral_count']), area, year));
    put('rereferral_percent', area, year, publishedNumber(row['rereferral_percent']));
  }
  for (const { row, area, year } of rowsOf('cp_plans_at31.csv.gz')) {
    put('cp_rate', area, year, perTenThousand(publishedNumber(row['CPP_At31']), area, year));
  }
  for (const { row, area, year } of rowsOf('cp_plans_subsequent.csv.gz')) {
    put('cp_subsequent_percent', area, year, publishedNumber(row['CPP_subsequent_percent']));
  }
  for (const { row, area, year } of rowsOf('looked_after.csv.gz')) {
    put('cla_rate', area, year, publishedNumber(row['rate_per_10000']));
  }
  for (const { row, area, year } of rowsOf('placement_stability.csv.gz')) {
    const value = publishedNumber(row['children_percent']);
    if (row['placement_stability'] === 'With 3 or more placements during the year') {
      put('cla_three_placements_percent', area, year, value);
    } else if (row['placement_stability'] === 'Living with the same carer for at least 2 years') {
      put('cla_long_term_stability_percent', area, year, value);
    }
  }
  for (const { row, area, year } of rowsOf('care_leavers_accommodation.csv.gz')) {
    if (row['care_leaver_age'] === '19 to 21 years') {
      put('care_leavers_suitable_percent', area, year, publishedNumber(row['care_leaver_percent']));
    }
  }
  for (const { row, area, year } of rowsOf('care_leavers_activity.csv.gz')) {
    if (row['care_leaver_age'] === '19 to 21 years') {
      put('care_leavers_eet_percent', area, year, publishedNumber(row['care_leaver_percent']));
    }
  }
  for (const { row, area, year } of rowsOf('workforce.csv.gz')) {
    put('sw_turnover_percent', area, year, publishedNumber(row['turnover_rate_fte']));
    put('sw_agency_percent', area, year, publishedNumber(row['agency_rate_fte']));
  }

  const neighbours = new Map<string, Neighbour[]>();
  for (const row of readRows(dir, 'statistical_neighbours.csv.gz')) {
    const self = oldToNew.get(row['old_la_code'] ?? '')?.code;
    if (self === undefined) continue;
    const list: Neighbour[] = [];
    for (let i = 1; i <= 10; i += 1) {
      const code = oldToNew.get(row[`SN_${String(i)}`] ?? '')?.code;
      if (code === undefined) continue;
      list.push({
        code,
        name: names.get(code) ?? code,
        closeness: (row[`SN_${String(i)}P`] ?? '').trim(),
      });
    }
    neighbours.set(self, list);
  }

  return {
    series: new Map([...series].map(([key, builder]) => [key, builder.data])),
    names,
    neighbours,
  };
}

let cached: Benchmarks | undefined;

/** The shipped tables, read on first use. */
export function shippedBenchmarks(): Benchmarks {
  cached ??= loadBenchmarks();
  return cached;
}

export type Comparison = {
  readonly year: number;
  readonly authority: number | null;
  /** The mean of the neighbours that published a figure that year (null when none did). */
  readonly neighbours: number | null;
  readonly neighboursReporting: number;
  readonly england: number | null;
};

/** Every year any of the three has a figure, oldest first. */
export function compare(benchmarks: Benchmarks, measure: MeasureKey, laCode: string): Comparison[] {
  const series = benchmarks.series.get(measure) ?? new Map<string, ReadonlyMap<number, number>>();
  const neighbours = benchmarks.neighbours.get(laCode) ?? [];
  const years = new Set<number>();
  for (const area of [laCode, ENGLAND, ...neighbours.map((n) => n.code)]) {
    for (const year of series.get(area)?.keys() ?? []) years.add(year);
  }
  return [...years]
    .sort((a, b) => a - b)
    .map((year) => {
      const values = neighbours
        .map((n) => series.get(n.code)?.get(year))
        .filter((v): v is number => v !== undefined);
      return {
        year,
        authority: series.get(laCode)?.get(year) ?? null,
        neighbours:
          values.length === 0 ? null : round1(values.reduce((sum, v) => sum + v, 0) / values.length),
        neighboursReporting: values.length,
        england: series.get(ENGLAND)?.get(year) ?? null,
      };
    })
    .filter((c) => c.authority !== null || c.england !== null);
}
