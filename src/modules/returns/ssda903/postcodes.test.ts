/**
 * The SSDA903 placement fields derived from postcodes: enrich903 on a hand-made lookup, the two
 * lookups (shipped reference files, database) on real postcodes, and whole 903 directories whose
 * continuing placement moved 27 miles out of the council's area, validated with and without them.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../../../test/support/db.ts';
import { loadTestGeography } from '../../../../test/support/geography.ts';
import { validateSsda903 } from '../validate.ts';
import { baseline903Child, emptyTables, row, type Row } from './model.ts';
import {
  databaseLookup,
  enrich903,
  lookupFromReferenceFiles,
  milesBetween,
  normalisePostcode,
  outsideEngland,
  returnPostcodes,
  type PostcodePlace,
} from './postcodes.ts';

const HERTS = 'E10000015';

/** The first row of a table (throws when there is none). */
function first(rows: readonly Row[]): Row {
  const r = rows[0];
  if (!r) throw new Error('no rows');
  return r;
}
const MILTON_KEYNES = 'E06000042';

describe('enrich903', () => {
  const lookup = new Map<string, PostcodePlace>([
    ['AL1 3JY', { la: HERTS, easting: 530_000, northing: 180_000 }],
    // 30 km east and 40 km north: 50 km = 50 / 1.6093 = 31.069… miles
    ['MK9 2AD', { la: MILTON_KEYNES, easting: 560_000, northing: 220_000 }],
    ['AL3 5PQ', { la: HERTS, easting: 530_300, northing: 180_400 }],
    ['SG1 1AB', { la: HERTS, easting: null, northing: null }],
  ]);

  it('adds the distance in miles (one decimal), the LA and IN/OUT', () => {
    const c = baseline903Child();
    const ep = first(c.tables.Episodes);
    ep.values.PL_POST = 'mk92ad';
    enrich903(c, lookup, HERTS);
    expect(ep.values).toMatchObject({ PL_DISTANCE: '31.1', PL_LA: MILTON_KEYNES, PL_LOCATION: 'OUT' });
    expect(milesBetween({ easting: 0, northing: 0 }, { easting: 30_000, northing: 40_000 })).toBe(31.1);
  });

  it('says IN for a placement in the council, 0.3 miles from home', () => {
    const c = baseline903Child();
    enrich903(c, lookup, HERTS);
    // 500 m = 0.3107 miles
    expect(first(c.tables.Episodes).values).toMatchObject({
      PL_DISTANCE: '0.3',
      PL_LA: HERTS,
      PL_LOCATION: 'IN',
    });
  });

  it('leaves the fields absent when they cannot be derived', () => {
    const c = baseline903Child();
    const ep = first(c.tables.Episodes);
    ep.values.HOME_POST = 'ZZ9 9ZZ'; // not in the lookup
    enrich903(c, lookup, HERTS);
    expect(ep.values.PL_DISTANCE).toBeUndefined();
    expect(ep.values).toMatchObject({ PL_LA: HERTS, PL_LOCATION: 'IN' });

    ep.values.HOME_POST = 'AL1 3JY';
    ep.values.PL_POST = 'AL9 9ZZ'; // unknown, in an English-only area
    enrich903(c, lookup, HERTS);
    for (const f of ['PL_DISTANCE', 'PL_LA', 'PL_LOCATION']) expect(ep.values[f]).toBeUndefined();

    ep.values.PL_POST = 'SG1 1AB'; // known, but no grid reference
    enrich903(c, lookup, undefined); // and no council code: no IN/OUT
    expect(ep.values).toEqual(expect.objectContaining({ PL_LA: HERTS }));
    expect(ep.values.PL_DISTANCE).toBeUndefined();
    expect(ep.values.PL_LOCATION).toBeUndefined();

    delete ep.values.PL_POST;
    enrich903(c, lookup, HERTS);
    expect(ep.values.PL_LA).toBeUndefined();
  });

  it('marks a placement in Wales, Scotland or Northern Ireland as the DfE does', () => {
    const c = baseline903Child();
    const ep = first(c.tables.Episodes);
    for (const [post, country] of [
      ['CF10 1EP', 'WAL'],
      ['EH1 1YZ', 'SCO'],
      ['BT1 5GS', 'NIR'],
    ] as const) {
      ep.values.PL_POST = post;
      enrich903(c, lookup, HERTS);
      expect(ep.values).toMatchObject({ PL_LA: country, PL_LOCATION: 'OUT' });
      expect(ep.values.PL_DISTANCE).toBeUndefined();
    }
    expect(outsideEngland('AL1 3JY')).toBeUndefined();
  });

  it("enriches last year's episodes too, and collects the return's postcodes once", () => {
    const c = baseline903Child();
    c.previous = emptyTables();
    c.previous.Episodes.push(row({ CHILD: c.id, HOME_POST: 'AL1 3JY', PL_POST: 'MK9 2AD' }, 1));
    enrich903(c, lookup, HERTS);
    expect(first(c.previous.Episodes).values).toMatchObject({ PL_DISTANCE: '31.1', PL_LOCATION: 'OUT' });
    expect([...returnPostcodes([c, baseline903Child()])].sort()).toEqual(['AL1 3JY', 'AL3 5PQ', 'MK9 2AD']);
    expect(normalisePostcode(' al10  0aa ')).toBe('AL10 0AA');
    expect(normalisePostcode('not known')).toBeUndefined();
  });
});

describe('lookups', () => {
  it('finds real postcodes in the shipped reference files, keeping only those asked for', async () => {
    const found = await lookupFromReferenceFiles(['AL1 3JY', 'AL10 0AA', 'MK9 2AD', 'AL9 9ZZ', 'B5 4NG']);
    expect(found.get('AL1 3JY')).toEqual({ la: HERTS, easting: 514_909, northing: 207_265 });
    // written "AL100AA" in the file
    expect(found.get('AL10 0AA')).toEqual({ la: HERTS, easting: 522_503, northing: 208_775 });
    expect(found.get('MK9 2AD')).toEqual({ la: MILTON_KEYNES, easting: 485_169, northing: 238_960 });
    // written "B5  4NG" in the file (a short outward code padded with two spaces)
    expect(found.get('B5 4NG')).toEqual({ la: 'E08000025', easting: 407_000, northing: 286_500 });
    expect(found.has('AL9 9ZZ')).toBe(false);
    expect(found.size).toBe(4);
  }, 120_000);

  describe('from the database', () => {
    let db: TestDb;
    beforeAll(async () => {
      db = await openTestDb();
    }, 120_000);
    afterAll(async () => {
      await db.close();
    });

    it('is undefined while no postcode directory is loaded, then finds postcodes in one query', async () => {
      expect(await databaseLookup(db.db, ['AL1 3JY'])).toBeUndefined();
      await loadTestGeography(db, [HERTS, MILTON_KEYNES]);
      const found = await databaseLookup(db.db, ['AL1 3JY', 'MK9 2AD', 'AL9 9ZZ']);
      expect(found?.get('AL1 3JY')).toEqual({ la: HERTS, easting: 514_909, northing: 207_265 });
      expect(found?.get('MK9 2AD')).toEqual({ la: MILTON_KEYNES, easting: 485_169, northing: 238_960 });
      expect(found?.get('AL9 9ZZ')).toBeUndefined();
    }, 120_000);
  });
});

describe('validating a 903 directory with the derived fields', () => {
  const FIXTURE = new URL('../../../../test/fixtures/returns/ssda903-2026-valid/', import.meta.url).pathname;
  const temp = mkdtempSync(join(tmpdir(), 'hearth-903-postcodes-'));
  afterAll(() => {
    rmSync(temp, { recursive: true, force: true });
  });
  const EPISODES =
    'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN';
  const HEADER = 'CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1001,F,15/07/2012,WBRI,E938611200101,0,\n';

  /**
   * C1001 looked after with the same foster carer since 1 February 2025, last year's episode still
   * open on 31 March; this year's return gives the placement postcode `placedNow`.
   */
  function returnWith(name: string, placedNow: string): { current: string; previous: string } {
    const current = join(temp, name, 'current');
    const previous = join(temp, name, 'previous');
    cpSync(FIXTURE, current, { recursive: true });
    const lines = readFileSync(join(current, 'Episodes.csv'), 'utf8').trimEnd().split('\n');
    writeFileSync(
      join(current, 'Episodes.csv'),
      [
        EPISODES,
        `C1001,01/02/2025,S,C1,N1,U4,PR1,,,,AL1 3JY,${placedNow},XXXXXXX`,
        ...lines.filter((l) => l.startsWith('C1002')),
      ].join('\n') + '\n',
    );
    mkdirSync(previous);
    writeFileSync(join(previous, 'Header.csv'), HEADER);
    writeFileSync(
      join(previous, 'Episodes.csv'),
      `${EPISODES}\nC1001,01/02/2025,S,C1,N1,U4,PR1,,,,AL1 3JY,AL3 5PQ,XXXXXXX\n`,
    );
    return { current, previous };
  }

  const POSTCODE_RULES = ['164', '169', '179', '392a', '406', '411', '420', '452', '453', '454'];
  const CONTINUITY = ['452', '453', '503G', '503H', '503J'];
  const raised = (byRule: Record<string, number>, codes: readonly string[]): string[] =>
    codes.filter((code) => (byRule[code] ?? 0) > 0);

  let lookup: Map<string, PostcodePlace>;
  beforeAll(async () => {
    lookup = await lookupFromReferenceFiles(['AL1 3JY', 'AL3 5PQ', 'MK9 2AD']);
  }, 120_000);

  it('raises the continuity rules when the placement moved 27 miles out of area', async () => {
    const moved = returnWith('moved', 'MK9 2AD');
    const report = await validateSsda903(moved.current, 2026, moved.previous, undefined, undefined, {
      postcodes: lookup,
      la: HERTS,
    });
    expect(raised(report.byRule, CONTINUITY)).toEqual(CONTINUITY);
    expect(report.issues).toContainEqual(
      expect.objectContaining({
        rule: '503H',
        child: 'C1001',
        fields: ['PL_LA'],
        row: 1,
        file: 'Episodes.csv',
      }),
    );
    // 27.0 miles is no reason for 454 (over 350), and the derived fields are all present and valid
    expect(
      raised(
        report.byRule,
        [...POSTCODE_RULES, '503G'].filter((r) => !CONTINUITY.includes(r)),
      ),
    ).toEqual([]);
  });

  it('raises none of them when the placement is unchanged', async () => {
    const same = returnWith('same', 'AL3 5PQ');
    const report = await validateSsda903(same.current, 2026, same.previous, undefined, undefined, {
      postcodes: lookup,
      la: HERTS,
    });
    expect(raised(report.byRule, [...POSTCODE_RULES, ...CONTINUITY])).toEqual([]);
  });

  it('without postcode data, falls back to comparing the postcodes', async () => {
    const moved = returnWith('moved-no-postcodes', 'MK9 2AD');
    const report = await validateSsda903(moved.current, 2026, moved.previous, undefined, undefined, {
      postcodes: false,
    });
    // the postcode changed (503G), but both years have one: the LA cannot be compared
    expect(raised(report.byRule, CONTINUITY)).toEqual(['503G']);
  });

  it('uses the shipped reference file by default: an unknown placement postcode is raised', async () => {
    const unknown = returnWith('unknown', 'AL3 9ZZ');
    const report = await validateSsda903(unknown.current, 2026, undefined, undefined, undefined, {
      la: HERTS,
    });
    expect(raised(report.byRule, ['164', '169', '179', '392a'])).toEqual(['164', '169', '179', '392a']);
    expect(report.issues).toContainEqual(
      expect.objectContaining({ rule: '169', child: 'C1001', fields: ['PL_LA', 'PL_POST'], row: 1 }),
    );
    expect(report.issues.filter((i) => i.rule === '169').map((i) => i.child)).toEqual(['C1001']);
  }, 120_000);
});
