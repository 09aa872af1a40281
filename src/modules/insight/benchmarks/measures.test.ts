import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { compare, ENGLAND, MEASURES, publishedNumber, shippedBenchmarks } from './measures.ts';
import { prepareFile } from './prepare.ts';
import { BENCHMARK_DIR, SOURCE_FILES } from './sources.ts';

const HERTFORDSHIRE = 'E10000015';
const WESTMINSTER = 'E09000033';

describe('published numbers', () => {
  it('reads numbers and treats the DfE markers as missing', () => {
    expect(publishedNumber('36')).toBe(36);
    expect(publishedNumber('22.6')).toBe(22.6);
    expect(publishedNumber('12,183,016')).toBe(12_183_016);
    for (const marker of ['c', 'x', 'z', 'k', 'u', 'low', '', ' ', undefined])
      expect(publishedNumber(marker)).toBeNull();
  });
});

describe('the shipped DfE tables', () => {
  const benchmarks = shippedBenchmarks();
  const latest = (key: (typeof MEASURES)[number]['key'], code: string) =>
    compare(benchmarks, key, code).at(-1);

  it('works out rates per 10,000 from the counts and the ONS estimate of the year before', () => {
    // 5,848 children in need at 31 March 2025; 277,480 children aged 0-17 in mid-2024.
    expect(latest('cin_rate', HERTFORDSHIRE)).toMatchObject({ year: 2025, authority: 210.8 });
    // 614 child protection plans at 31 March 2025.
    expect(latest('cp_rate', HERTFORDSHIRE)?.authority).toBe(22.1);
    // England: 402,400 children in need and 49,420 plans; 12,183,016 children.
    expect(latest('cin_rate', HERTFORDSHIRE)?.england).toBe(330.3);
    expect(latest('cp_rate', HERTFORDSHIRE)?.england).toBe(40.6);
  });

  it('takes published percentages and rates as published', () => {
    expect(latest('cla_rate', HERTFORDSHIRE)).toMatchObject({ year: 2025, authority: 36, england: 67 });
    expect(latest('rereferral_percent', HERTFORDSHIRE)).toMatchObject({ authority: 15.8, england: 22.6 });
    expect(latest('cp_subsequent_percent', HERTFORDSHIRE)).toMatchObject({ authority: 23.4, england: 24.5 });
    expect(latest('sw_agency_percent', HERTFORDSHIRE)).toMatchObject({ authority: 7.4, england: 13 });
    expect(latest('care_leavers_eet_percent', HERTFORDSHIRE)).toMatchObject({ authority: 56, england: 54 });
    expect(latest('cla_three_placements_percent', HERTFORDSHIRE)).toMatchObject({
      authority: 11,
      england: 10,
    });
  });

  it('finds the ten statistical neighbours of the 2025 model under their current codes', () => {
    const neighbours = benchmarks.neighbours.get(HERTFORDSHIRE) ?? [];
    expect(neighbours.map((n) => n.name)).toEqual([
      'Oxfordshire',
      'Buckinghamshire',
      'Cambridgeshire',
      'Bracknell Forest',
      'West Sussex',
      'Bromley',
      'Hampshire',
      'Trafford',
      'Gloucestershire',
      'West Berkshire',
    ]);
    // Buckinghamshire became a unitary authority in 2020: its current code, not E10000002.
    expect(neighbours[1]?.code).toBe('E06000060');
    expect(benchmarks.neighbours.size).toBe(153);
  });

  it('averages the neighbours that published a figure', () => {
    // 51, 40, 49, 42, 54, 47, 60, 62, 57 and 53 per 10,000 in 2025.
    expect(latest('cla_rate', HERTFORDSHIRE)).toMatchObject({ neighbours: 51.5, neighboursReporting: 10 });
    // Kensington and Chelsea published no workforce figures for 2025 (nor did Westminster itself).
    const turnover = latest('sw_turnover_percent', WESTMINSTER);
    expect(turnover).toMatchObject({ year: 2025, authority: null, neighboursReporting: 9, neighbours: 11 });
  });

  it('has England in every measure', () => {
    for (const measure of MEASURES) {
      expect(benchmarks.series.get(measure.key)?.get(ENGLAND)?.size ?? 0).toBeGreaterThanOrEqual(5);
    }
  });
});

describe('preparing the shipped copies', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-dfe-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps England and the authorities, and only the rows and columns asked for', () => {
    writeFileSync(
      join(dir, 'source.csv'),
      [
        '\uFEFFtime_period,geographic_level,new_la_code,la_name,population_type,children_count,extra',
        '2025,National,,,Children looked after on 31 March each year,81770,a',
        '2025,Regional,,,Children looked after on 31 March each year,4000,b',
        '2025,Local authority,E10000015,Hertfordshire,Children looked after on 31 March each year,999,c',
        '2025,Local authority,E10000015,Hertfordshire,Children starting to be looked after each year,400,d',
        '2025,Local authority,E06000001,"Bristol, City of",Children looked after on 31 March each year,z,e',
      ].join('\n'),
    );
    const kept = prepareFile(
      dir,
      {
        file: 'out.csv.gz',
        source: 'source.csv',
        columns: ['time_period', 'geographic_level', 'new_la_code', 'la_name', 'children_count'],
        where: { population_type: ['Children looked after on 31 March each year'] },
      },
      dir,
    );
    expect(kept).toBe(3);
    expect(gunzipSync(readFileSync(join(dir, 'out.csv.gz'))).toString('utf8')).toBe(
      [
        'time_period,geographic_level,new_la_code,la_name,children_count',
        '2025,National,,,81770',
        '2025,Local authority,E10000015,Hertfordshire,999',
        '2025,Local authority,E06000001,"Bristol, City of",z',
        '',
      ].join('\n'),
    );
  });

  it('ships every file the measures read', () => {
    for (const source of SOURCE_FILES) {
      const text = gunzipSync(readFileSync(join(BENCHMARK_DIR, source.file))).toString('utf8');
      expect(text.split('\n')[0]).toBe(source.columns.join(','));
      expect(text).not.toContain('Regional');
    }
  });
});
