import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DbHandle } from '../../src/db/connect.ts';
import { readCsvBatches } from '../../src/modules/geography/csv.ts';
import {
  loadReferenceGeography,
  REFERENCE_DATA_DIR,
  SHIPPED_FILES,
} from '../../src/modules/geography/geography.service.ts';

/**
 * Reference geography for tests: the real shipped rows, but only one authority's (713 neighbourhoods
 * and 54,492 postcodes instead of 33,755 and 2.26 million).
 *
 *   await loadTestGeography(handle);
 *   await lookupPostcode(handle.db, TEST_POSTCODES.mostDeprived.postcode); // → decile 1
 *
 * The first use filters the shipped files into a small copy in the system's temporary folder, named
 * by the shipped files' SHA-256 and the authorities; later test files load that copy in a moment.
 */

export const TEST_AUTHORITY = { laCode: 'E10000015', laName: 'Hertfordshire' } as const;

/** Real postcodes of TEST_AUTHORITY, with what the shipped data (IMD 2025) says about them. */
export const TEST_POSTCODES = {
  /** The least deprived 10% of neighbourhoods in England. */
  leastDeprived: {
    postcode: 'AL1 1AA',
    lsoa21Code: 'E01023743',
    lsoaName: 'St Albans 014B',
    imdDecile: 10,
    incomeDecile: 10,
  },
  /** Written "AL100AA" in the shipped file (seven characters, no space). */
  deprived: {
    postcode: 'AL10 0AA',
    lsoa21Code: 'E01023920',
    lsoaName: 'Welwyn Hatfield 012A',
    imdDecile: 2,
    incomeDecile: 2,
  },
  /** The most deprived 10%. */
  mostDeprived: {
    postcode: 'WD6 4AE',
    lsoa21Code: 'E01023536',
    lsoaName: 'Hertsmere 006C',
    imdDecile: 1,
    incomeDecile: 1,
  },
  /** Overall and income deciles differ. */
  stevenage: {
    postcode: 'SG1 1AB',
    lsoa21Code: 'E01023757',
    lsoaName: 'Stevenage 008C',
    imdDecile: 4,
    incomeDecile: 3,
  },
} as const;

/** A real English postcode outside TEST_AUTHORITY (Birmingham): unknown after loadTestGeography. */
export const POSTCODE_ELSEWHERE = 'B32 1EQ';

function csvLine(fields: readonly string[]): string {
  return fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f)).join(',');
}

/** Writes the shipped files' rows for these authorities to `dir`, in the shipped format. */
async function writeSubset(dir: string, laCodes: readonly string[]): Promise<void> {
  const authorities = new Set(laCodes);
  const lsoaLines: string[] = [];
  const codes = new Set<string>();
  let laColumn = -1;
  for await (const records of readCsvBatches(join(REFERENCE_DATA_DIR, SHIPPED_FILES.lsoa21))) {
    for (const record of records) {
      if (!('fields' in record)) continue;
      if (laColumn === -1) laColumn = record.fields.indexOf('la_code');
      else if (!authorities.has(record.fields[laColumn] ?? '')) continue;
      else codes.add(record.fields[0] ?? '');
      lsoaLines.push(csvLine(record.fields));
    }
  }
  const postcodeLines: string[] = [];
  for await (const records of readCsvBatches(join(REFERENCE_DATA_DIR, SHIPPED_FILES.postcodes))) {
    for (const record of records) {
      if ('fields' in record && (record.row === 1 || codes.has(record.fields[1] ?? ''))) {
        postcodeLines.push(record.fields.join(','));
      }
    }
  }
  mkdirSync(dir, { recursive: true });
  // Written under a temporary name and renamed, so that parallel test files never read half a file.
  for (const [name, lines] of [
    [SHIPPED_FILES.lsoa21, lsoaLines],
    [SHIPPED_FILES.postcodes, postcodeLines],
  ] as const) {
    const partial = join(dir, `${name}.${process.pid}.partial`);
    writeFileSync(partial, gzipSync(`${lines.join('\n')}\n`));
    renameSync(partial, join(dir, name));
  }
}

/** The folder holding the shipped files' rows for these authorities only (made on first use). */
export async function testGeographyDir(
  laCodes: readonly string[] = [TEST_AUTHORITY.laCode],
): Promise<string> {
  const hash = createHash('sha256');
  for (const name of [SHIPPED_FILES.lsoa21, SHIPPED_FILES.postcodes]) {
    hash.update(readFileSync(join(REFERENCE_DATA_DIR, name)));
  }
  hash.update([...laCodes].sort().join(' '));
  const dir = join(tmpdir(), 'hearth-test-geography', hash.digest('hex').slice(0, 24));
  const complete = [SHIPPED_FILES.lsoa21, SHIPPED_FILES.postcodes].every((name) =>
    existsSync(join(dir, name)),
  );
  if (!complete) await writeSubset(dir, laCodes);
  return dir;
}

/** Loads the shipped neighbourhoods and postcodes of these authorities only (default: TEST_AUTHORITY). */
export async function loadTestGeography(
  handle: DbHandle,
  laCodes: readonly string[] = [TEST_AUTHORITY.laCode],
): Promise<void> {
  await loadReferenceGeography(handle, { laCodes, dir: await testGeographyDir(laCodes) });
}
