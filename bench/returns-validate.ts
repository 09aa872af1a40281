/**
 * `npm run bench:returns [-- --cin N --ssda903 N]`: how fast `hearth validate` is on a large
 * return. Generates N synthetic children in memory by varying the valid baseline children
 * (default 50,000 CIN children and 10,000 SSDA903 children), writes them to temporary files with the
 * returns writers, then times per stage:
 *   - read: the reader alone (every child parsed, no rules): the I/O floor;
 *   - validate: reading plus every rule of the year (what `hearth validate` does);
 * and prints validate ÷ read (the cost of the rules over the floor) and the peak RSS after each
 * stage. Personal data: none (all synthetic).
 */
import { createWriteStream, mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import {
  baselineCinChild,
  cinContext,
  withProtection,
  type CinChild,
} from '../src/modules/returns/cin/model.ts';
import { openCin } from '../src/modules/returns/cin/read.ts';
import { writeCin } from '../src/modules/returns/cin/write.ts';
import { baseline903Child, type Child903 } from '../src/modules/returns/ssda903/model.ts';
import { readSsda903 } from '../src/modules/returns/ssda903/read.ts';
import { write903 } from '../src/modules/returns/ssda903/write.ts';
import { validateCin, validateSsda903 } from '../src/modules/returns/validate.ts';

const { values } = parseArgs({
  options: { cin: { type: 'string', default: '50000' }, ssda903: { type: 'string', default: '10000' } },
});
const CIN_N = Number(values.cin);
const SSDA_N = Number(values.ssda903);

const CHECK_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';
/** A UPN with a valid check letter for the 12 digits (LA 938, then the child's number). */
function upn(i: number): string {
  const digits = `938${String(i).padStart(9, '0')}`;
  let sum = 0;
  for (let k = 0; k < 12; k++) sum += Number(digits[k]) * (k + 2);
  return `${CHECK_LETTERS[sum % 23] ?? 'A'}${digits}`;
}

const ETHNICITIES = ['WBRI', 'WOTH', 'MWBC', 'ABAN', 'BAFR', 'APKN', 'CHNE', 'OOTH'];
const SEXES = ['F', 'M'];

/** Child i: a third on a protection plan, a third with a referral that needed no further action. */
function cinChild(i: number): CinChild {
  const child = i % 3 === 0 ? withProtection(baselineCinChild()) : baselineCinChild();
  child.identifiers.LAchildID = `HRT${String(i).padStart(7, '0')}`;
  child.identifiers.UPN = upn(i);
  child.identifiers.Sex = SEXES[i % 2] ?? 'F';
  child.identifiers.PersonBirthDate = `20${String(10 + (i % 10))}-0${String(1 + (i % 9))}-1${String(i % 10)}`;
  child.characteristics.Ethnicity = ETHNICITIES[i % ETHNICITIES.length] ?? 'WBRI';
  const details = child.cinDetails[0];
  if (i % 3 === 1 && details) {
    Object.assign(details, {
      ReferralNFA: 'true',
      CINclosureDate: details.CINreferralDate,
      ReasonForClosure: 'RC7',
      assessments: [],
      cinPlanDates: [],
    });
  }
  return child;
}

function* cinChildren(n: number): Generator<CinChild> {
  for (let i = 1; i <= n; i++) yield cinChild(i);
}

function* children903(n: number): Generator<Child903> {
  for (let i = 1; i <= n; i++) {
    const child = baseline903Child(2026);
    const id = `C${String(i).padStart(6, '0')}`;
    child.id = id;
    for (const rows of Object.values(child.tables)) for (const r of rows) r.values['CHILD'] = id;
    const header = child.tables.Header[0];
    if (header) {
      header.values['UPN'] = upn(i);
      header.values['ETHNIC'] = ETHNICITIES[i % ETHNICITIES.length] ?? 'WBRI';
    }
    yield child;
  }
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const peak = (): string => mb(process.resourceUsage().maxRSS * 1024);

async function time<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, (performance.now() - start) / 1000];
}

function line(stage: string, seconds: number, children: number, extra = ''): void {
  const rate = Math.round(children / seconds).toLocaleString('en-GB');
  console.log(
    `  ${stage.padEnd(10)} ${seconds.toFixed(2).padStart(7)} s  ${rate.padStart(9)} children/s  peak RSS ${peak()}${extra}`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-returns-'));
try {
  console.log(`CIN census: ${CIN_N.toLocaleString('en-GB')} children`);
  const xml = join(dir, 'cin.xml');
  const [, writeSeconds] = await time(async () => {
    const out = createWriteStream(xml);
    await writeCin(cinContext(2026).header, cinChildren(CIN_N), out);
    out.end();
    await finished(out);
  });
  line('write', writeSeconds, CIN_N, `  (${mb(statSync(xml).size)} of XML)`);
  const [readCount, readSeconds] = await time(async () => {
    const file = await openCin(xml, { censusYear: 2026 });
    let n = 0;
    for await (const child of file.children) if (child.cinDetails.length > 0) n += 1;
    return n;
  });
  line('read', readSeconds, readCount);
  const [cinReport, cinSeconds] = await time(() => validateCin(xml, 2026));
  line(
    'validate',
    cinSeconds,
    cinReport.children,
    `  (${String(cinReport.rules)} rules, ${String(cinReport.issueCount)} issues)`,
  );
  console.log(
    `  validate ÷ read: ${(cinSeconds / readSeconds).toFixed(2)}×  (rules ${(cinSeconds - readSeconds).toFixed(2)} s)`,
  );
  if (cinReport.issueCount > 0) console.log(`  issues by rule: ${JSON.stringify(cinReport.byRule)}`);

  console.log(`\nSSDA903: ${SSDA_N.toLocaleString('en-GB')} children`);
  const csvDir = join(dir, 'ssda903');
  const [, write903Seconds] = await time(() => write903(csvDir, children903(SSDA_N), 2026));
  const csvBytes = readdirSync(csvDir).reduce((sum, f) => sum + statSync(join(csvDir, f)).size, 0);
  line('write', write903Seconds, SSDA_N, `  (${mb(csvBytes)} of CSV)`);
  const [read903, read903Seconds] = await time(() => readSsda903(csvDir, 2026));
  line('read', read903Seconds, read903.children.length);
  const [report903, validate903Seconds] = await time(() => validateSsda903(csvDir, 2026));
  line(
    'validate',
    validate903Seconds,
    report903.children,
    `  (${String(report903.rules)} rules, ${String(report903.issueCount)} issues)`,
  );
  console.log(
    `  validate ÷ read: ${(validate903Seconds / read903Seconds).toFixed(2)}×  (rules ${(validate903Seconds - read903Seconds).toFixed(2)} s)`,
  );
  if (report903.issueCount > 0) console.log(`  issues by rule: ${JSON.stringify(report903.byRule)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
