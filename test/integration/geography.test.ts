import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadPostcodesCommand } from '../../src/modules/geography/geography.cli.ts';
import {
  loadPostcodeFile,
  loadReferenceGeography,
  loadShippedPostcodes,
  lookupPostcode,
  ReferenceDataError,
} from '../../src/modules/geography/geography.service.ts';
import { engine, openTestDb, type TestDb } from '../support/db.ts';
import {
  loadTestGeography,
  POSTCODE_ELSEWHERE,
  TEST_AUTHORITY,
  TEST_POSTCODES,
  testGeographyDir,
} from '../support/geography.ts';

/**
 * Reference geography: the shipped neighbourhoods and postcodes (one authority's, as other tests
 * use them), postcode lookup, idempotent loading, and a council's own ONS postcode file.
 */
vi.setConfig({ testTimeout: 120_000 });

const HERTS_POSTCODES = 54_492;
const HERTS_LSOAS = 713;

let db: TestDb;
/** Where loadTestGeography's files are: loading from there again is "current". */
let subset: { laCodes: string[]; dir: string };
const temp = mkdtempSync(join(tmpdir(), 'hearth-geography-'));

beforeAll(async () => {
  db = await openTestDb();
  await loadTestGeography(db);
  subset = { laCodes: [TEST_AUTHORITY.laCode], dir: await testGeographyDir() };
}, 180_000);

afterAll(async () => {
  await db.close();
  rmSync(temp, { recursive: true, force: true });
});

async function counts() {
  const lsoas = await db.db
    .selectFrom('lsoa21')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const postcodes = await db.db
    .selectFrom('postcodes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { lsoas: lsoas.n, postcodes: postcodes.n };
}

async function loads() {
  return db.db
    .selectFrom('reference_data_loads')
    .select(['dataset', 'source', 'rows'])
    .orderBy('dataset')
    .execute();
}

/** A minimal NSPL-shaped file: quoted fields, as the ONS publishes them, and a country column. */
const NSPL_HEADER = '"pcd","pcds","dointr","doterm","oseast1m","osnrth1m","ctry25cd","lsoa21cd","lat","long"';
function nsplRow(
  pcds: string,
  lsoa: string,
  easting: string,
  northing: string,
  country = 'E92000001',
): string {
  return [pcds.replace(' ', ''), pcds, '198001', '', easting, northing, country, lsoa, '51.75', '-0.34']
    .map((v) => `"${v}"`)
    .join(',');
}

function writeFile(name: string, lines: string[]): string {
  const path = join(temp, name);
  writeFileSync(path, `${lines.join('\r\n')}\r\n`);
  return path;
}

describe(`reference geography (${engine})`, () => {
  it('loads one authority from the shipped files and finds each postcode’s neighbourhood and deprivation', async () => {
    expect(await counts()).toEqual({ lsoas: HERTS_LSOAS, postcodes: HERTS_POSTCODES });
    const authorities = await db.db.selectFrom('lsoa21').select('la_code').distinct().execute();
    expect(authorities).toEqual([{ la_code: TEST_AUTHORITY.laCode }]);

    // Typed in lower case without a space, as people do.
    expect(await lookupPostcode(db.db, 'al11aa')).toEqual({
      postcode: 'AL1 1AA',
      lsoa21Code: 'E01023743',
      lsoaName: 'St Albans 014B',
      laCode: 'E10000015',
      laName: 'Hertfordshire',
      imdDecile: 10,
      incomeDecile: 10,
    });
    for (const known of Object.values(TEST_POSTCODES)) {
      const found = await lookupPostcode(db.db, ` ${known.postcode.toLowerCase()} `);
      expect(found).toMatchObject({ ...known, laCode: TEST_AUTHORITY.laCode, laName: TEST_AUTHORITY.laName });
    }
    // "AL100AA" in the shipped file is stored in canonical form.
    const stored = await db.db
      .selectFrom('postcodes')
      .selectAll()
      .where('postcode', 'like', 'AL10 0A%')
      .orderBy('postcode')
      .executeTakeFirst();
    expect(stored).toEqual({
      postcode: 'AL10 0AA',
      lsoa21_code: 'E01023920',
      easting: 522503,
      northing: 208775,
    });

    expect(await lookupPostcode(db.db, POSTCODE_ELSEWHERE)).toBeUndefined();
    expect(await lookupPostcode(db.db, 'not a postcode')).toBeUndefined();
    expect(await lookupPostcode(db.db, '')).toBeUndefined();
  });

  it('records what it loaded and does nothing when loading again, unless forced', async () => {
    const before = await loads();
    expect(before.map((l) => [l.dataset, l.rows])).toEqual([
      ['lsoa21', HERTS_LSOAS],
      ['postcodes', HERTS_POSTCODES],
    ]);
    expect(before[1]?.source).toMatch(
      /^reference-data\/postcodes_england\.csv\.gz sha256:[0-9a-f]{64} authorities E10000015$/,
    );

    // A row removed behind the loader's back stays removed: a current dataset is not reloaded.
    await db.db.deleteFrom('postcodes').where('postcode', '=', 'AL1 1AA').execute();
    const again = await loadReferenceGeography(db, subset);
    expect(again.lsoa21.status).toBe('current');
    expect(again.postcodes.status).toBe('current');
    expect(await lookupPostcode(db.db, 'AL1 1AA')).toBeUndefined();
    expect(await loads()).toEqual(before);

    // Forced, and straight from the shipped files in reference-data/ (filtered while reading).
    const forced = await loadReferenceGeography(db, { laCodes: [TEST_AUTHORITY.laCode], force: true });
    expect(forced.postcodes).toMatchObject({ status: 'loaded', rows: HERTS_POSTCODES });
    expect(await lookupPostcode(db.db, 'AL1 1AA')).toMatchObject({ imdDecile: 10 });
    expect(await counts()).toEqual({ lsoas: HERTS_LSOAS, postcodes: HERTS_POSTCODES });
  });

  it('reports every bad row of a postcode file with its file, row and field, and loads nothing', async () => {
    const before = await loads();
    const path = writeFile('nspl-bad.csv', [
      NSPL_HEADER,
      nsplRow('AL1 1AA', 'E01023536', '514600', '206900'), // good
      nsplRow('NOT A PC', 'E01023743', '514600', '206900'),
      nsplRow('AL1 1AB', 'E01999999', '517328', '206823'),
      nsplRow('AL1 1AD', 'E01023667', 'east', '206823'),
      nsplRow('AL1 1AA', 'E01023743', '514600', '206900'), // the same postcode again
      '"AL11AE","AL1 1AE","198001"',
      nsplRow('Q', 'E01023667', '517328', '9999999'),
    ]);
    const problems = await loadPostcodeFile(db, path).then(
      () => undefined,
      (error: unknown) => (error instanceof ReferenceDataError ? error : undefined),
    );
    expect(problems?.problems).toEqual([
      { file: 'nspl-bad.csv', row: 3, field: 'pcds', message: '“NOT A PC” is not a valid postcode' },
      {
        file: 'nspl-bad.csv',
        row: 4,
        field: 'lsoa21cd',
        message: 'E01999999 is not a 2021 neighbourhood (LSOA) in England',
      },
      {
        file: 'nspl-bad.csv',
        row: 5,
        field: 'oseast1m',
        message: '“east” is not a whole number of metres from 0 to 700,000',
      },
      { file: 'nspl-bad.csv', row: 6, field: 'pcds', message: 'AL1 1AA appears on an earlier row too' },
      { file: 'nspl-bad.csv', row: 7, field: '(row)', message: 'has 3 fields where the header has 10' },
      { file: 'nspl-bad.csv', row: 8, field: 'pcds', message: '“Q” is not a valid postcode' },
      {
        file: 'nspl-bad.csv',
        row: 8,
        field: 'osnrth1m',
        message: '“9999999” is not a whole number of metres from 0 to 1,300,000',
      },
    ]);
    expect(problems?.problemCount).toBe(7);

    // Nothing loaded: the shipped postcodes, their indexes and the record of the load are untouched.
    expect(await counts()).toEqual({ lsoas: HERTS_LSOAS, postcodes: HERTS_POSTCODES });
    expect(await lookupPostcode(db.db, 'AL1 1AA')).toMatchObject({ lsoa21Code: 'E01023743', imdDecile: 10 });
    expect(await loads()).toEqual(before);

    // The command prints the same, one line a problem, and fails.
    const out: string[] = [];
    const err: string[] = [];
    const code = await loadPostcodesCommand(db, ['--file', path], {
      out: { write: (text: string) => out.push(text) },
      err: { write: (text: string) => err.push(text) },
    });
    expect(code).toBe(1);
    const printed = err.join('');
    expect(printed).toContain('nspl-bad.csv, row 3, pcds: “NOT A PC” is not a valid postcode\n');
    expect(printed).toContain(
      'nspl-bad.csv, row 8, osnrth1m: “9999999” is not a whole number of metres from 0 to 1,300,000\n',
    );
    expect(printed).toContain('nspl-bad.csv has 7 bad rows: nothing was loaded');
    expect(await counts()).toEqual({ lsoas: HERTS_LSOAS, postcodes: HERTS_POSTCODES });
  });

  it('names the missing columns of a file that is not a postcode lookup', async () => {
    const path = writeFile('wrong.csv', ['postcode,ward,easting', 'AL1 1AA,E05000001,514600']);
    await expect(loadPostcodeFile(db, path)).rejects.toMatchObject({
      problems: [
        {
          file: 'wrong.csv',
          row: 1,
          field: 'lsoa21cd',
          message: 'the column is missing (the header needs lsoa21cd or lsoa21 or lsoa21_code)',
        },
        {
          file: 'wrong.csv',
          row: 1,
          field: 'osnrth1m',
          message: 'the column is missing (the header needs osnrth1m or northing)',
        },
      ],
    });
    expect(await counts()).toEqual({ lsoas: HERTS_LSOAS, postcodes: HERTS_POSTCODES });

    // Nor does a file with no English postcodes replace them all with none.
    const welsh = writeFile('wales.csv', [
      NSPL_HEADER,
      nsplRow('CF10 1AA', 'W01001234', '318000', '176000', 'W92000004'),
    ]);
    await expect(loadPostcodeFile(db, welsh)).rejects.toMatchObject({
      problems: [{ file: 'wales.csv', row: 1, field: '(file)', message: 'has no postcodes in England' }],
    });
    expect(await counts()).toEqual({ lsoas: HERTS_LSOAS, postcodes: HERTS_POSTCODES });
  });

  it('loads a council’s ONS postcode file in place of the shipped one, and start-up keeps it', async () => {
    const path = writeFile('NSPL_TEST_UK.csv', [
      NSPL_HEADER,
      nsplRow('AL1 1AA', 'E01023536', '514600', '206900'), // now placed in a different neighbourhood
      nsplRow('SG1 1AB', 'E01023757', '524000', '225000'),
      nsplRow('AL9 9ZZ', 'E01023743', '', ''), // no grid reference yet
      nsplRow('CF10 1AA', 'W01001234', '318000', '176000', 'W92000004'), // Wales
      nsplRow('EH1 1AA', 'S01008000', '325000', '673000', 'S92000003'), // Scotland
      nsplRow('AL8 8ZZ', 'E99999999', '', ''), // no neighbourhood (ONS pseudo code)
    ]);
    const outcome = await loadPostcodeFile(db, path);
    expect(outcome).toMatchObject({ status: 'loaded', rows: 3, outsideEngland: 2, withoutNeighbourhood: 1 });
    expect(await counts()).toEqual({ lsoas: HERTS_LSOAS, postcodes: 3 });
    expect(await lookupPostcode(db.db, 'al1 1aa')).toMatchObject({
      lsoa21Code: 'E01023536',
      imdDecile: 1,
      incomeDecile: 1,
    });
    expect(await lookupPostcode(db.db, 'CF10 1AA')).toBeUndefined();
    const noGrid = await db.db
      .selectFrom('postcodes')
      .selectAll()
      .where('postcode', '=', 'AL9 9ZZ')
      .executeTakeFirst();
    expect(noGrid).toEqual({ postcode: 'AL9 9ZZ', lsoa21_code: 'E01023743', easting: null, northing: null });
    const recorded = await db.db
      .selectFrom('reference_data_loads')
      .select(['source', 'rows'])
      .where('dataset', '=', 'postcodes')
      .executeTakeFirst();
    expect(recorded).toEqual({
      source: expect.stringMatching(/^file:NSPL_TEST_UK\.csv sha256:[0-9a-f]{64}$/) as unknown,
      rows: 3,
    });

    // Start-up does not put the shipped postcodes back over the council's; the same file again is a no-op.
    expect((await loadShippedPostcodes(db, subset)).status).toBe('kept');
    expect((await loadPostcodeFile(db, path)).status).toBe('current');
    expect(await counts()).toEqual({ lsoas: HERTS_LSOAS, postcodes: 3 });

    // load-geography --force goes back to the shipped file.
    expect((await loadShippedPostcodes(db, { ...subset, force: true })).status).toBe('loaded');
    expect(await counts()).toEqual({ lsoas: HERTS_LSOAS, postcodes: HERTS_POSTCODES });
    expect(await lookupPostcode(db.db, 'AL1 1AA')).toMatchObject({ lsoa21Code: 'E01023743', imdDecile: 10 });
  });

  it('accepts the shipped format, gzipped, with its quirks (no space in seven-character postcodes, 4e+05)', async () => {
    const path = join(temp, 'postcodes.csv.gz');
    writeFileSync(
      path,
      gzipSync(
        'postcode,lsoa21_code,easting,northing\nAL100AA,E01023920,522503,208775\nWD6 4AE,E01023536,4e+05,198129\n',
      ),
    );
    expect(await loadPostcodeFile(db, path)).toMatchObject({ status: 'loaded', rows: 2 });
    const rows = await db.db.selectFrom('postcodes').selectAll().orderBy('postcode').execute();
    expect(rows).toEqual([
      { postcode: 'AL10 0AA', lsoa21_code: 'E01023920', easting: 522503, northing: 208775 },
      { postcode: 'WD6 4AE', lsoa21_code: 'E01023536', easting: 400000, northing: 198129 },
    ]);
    expect(await lookupPostcode(db.db, 'al100aa')).toMatchObject({ imdDecile: 2 });
  });
});
