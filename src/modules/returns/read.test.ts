import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { baselineCinChild, cinContext, withProtection, type CinChild } from './cin/model.ts';
import { MAX_TEXT, openCin, readCin } from './cin/read.ts';
import { childXml, writeCin } from './cin/write.ts';
import { ReturnFileError } from './errors.ts';
import { baseline903Child, SSDA903_COLUMNS, type Child903 } from './ssda903/model.ts';
import { findSsda903Files, readSsda903 } from './ssda903/read.ts';
import { csvCell, write903 } from './ssda903/write.ts';

const FIXTURES = new URL('../../../test/fixtures/returns/', import.meta.url).pathname;
const CIN_FILE = join(FIXTURES, 'cin-2026-valid.xml');
const DIR_903 = join(FIXTURES, 'ssda903-2026-valid');

const temp = mkdtempSync(join(tmpdir(), 'hearth-returns-read-'));
afterAll(() => {
  rmSync(temp, { recursive: true, force: true });
});
let n = 0;
function tempFile(name: string, content: string | Buffer): string {
  const path = join(temp, `${String(++n)}-${name}`);
  writeFileSync(path, content);
  return path;
}
function tempCopy903(): string {
  const dir = join(temp, `903-${String(++n)}`);
  cpSync(DIR_903, dir, { recursive: true });
  return dir;
}

async function readAll(input: string | Readable, censusYear = 2026): Promise<CinChild[]> {
  const file = await openCin(input, { censusYear });
  const out: CinChild[] = [];
  for await (const c of file.children) out.push(c);
  return out;
}

async function fileError(work: () => Promise<unknown>): Promise<ReturnFileError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof ReturnFileError) return error;
    throw error;
  }
  throw new Error('expected a ReturnFileError');
}

describe('CIN census reader', () => {
  it('reads the header, then each child with its values and line numbers', async () => {
    const file = await openCin(CIN_FILE, { censusYear: 2026 });
    expect(file.header).toMatchObject({
      Collection: 'CIN',
      Year: '2026',
      ReferenceDate: '2026-03-31',
      LEA: '919',
    });
    const children: CinChild[] = [];
    for await (const c of file.children) children.push(c);
    expect(children.map((c) => c.identifiers.LAchildID)).toEqual(['HRT0000001', 'HRT0000002', 'HRT0000003']);
    const lines = readFileSync(CIN_FILE, 'utf8').split('\n');
    const lineOf = (n: number): string => (lines[n - 1] ?? '').trim();

    const [cp, nfa, closed] = children as [CinChild, CinChild, CinChild];
    expect(lineOf(cp.line)).toBe('<Child>');
    expect(lineOf(cp.identifiers.line)).toBe('<ChildIdentifiers>');
    expect(cp.identifiers).toMatchObject({ UPN: 'E938611200101', PersonBirthDate: '2015-05-10', Sex: 'F' });
    const plan = cp.cinDetails[0]?.childProtectionPlans[0];
    expect(plan).toMatchObject({
      CPPstartDate: '2025-06-20',
      InitialCategoryOfAbuse: 'NEG',
      NumberOfPreviousCPP: '0',
    });
    expect(lineOf(plan?.line ?? 0)).toBe('<ChildProtectionPlans>');
    expect(plan?.reviews).toHaveLength(1);
    expect(lineOf(plan?.reviews[0]?.line ?? 0)).toBe('<CPPreviewDate>2025-09-15</CPPreviewDate>');
    expect(cp.cinDetails[0]?.section47[0]).toMatchObject({
      ICPCnotRequired: 'false',
      InitialCPCtarget: '2025-06-24',
    });
    expect(cp.cinDetails[0]?.assessments[0]?.factors).toEqual(['4B', '16A']);

    expect(nfa.cinDetails[0]).toMatchObject({
      ReferralNFA: 'true',
      CINclosureDate: '2025-09-15',
      ReasonForClosure: 'RC7',
    });
    expect(nfa.cinDetails[0]?.assessments).toEqual([]);
    expect(closed.cinDetails[0]?.cinPlanDates[0]).toMatchObject({ CINPlanEndDate: '2026-01-30' });
    expect(lineOf(closed.cinDetails[0]?.line ?? 0)).toBe('<CINdetails>');
    expect(closed.characteristics).toMatchObject({ Ethnicity: 'ABAN', disabilities: ['NONE'] });
    expect(file.warnings).toEqual([]);
  });

  it('round-trips what the writer writes, blank values left out', async () => {
    const child = withProtection(baselineCinChild());
    child.identifiers.FormerUPN = 'A<&>"B';
    child.characteristics.disabilities = ['MOB', 'HAND'];
    const stream = new (await import('node:stream')).PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    await writeCin(cinContext(2026).header, [child, baselineCinChild()], stream);
    stream.end();
    const path = tempFile('roundtrip.xml', Buffer.concat(chunks));
    const [first, second] = await readAll(path);
    const strip = (c: CinChild | undefined): unknown =>
      JSON.parse(JSON.stringify(c ?? null, (k, v: unknown) => (k === 'line' ? undefined : v)));
    expect(strip(first)).toEqual(strip(child));
    expect(strip(second)).toEqual(strip(baselineCinChild()));
    expect(childXml(child)).toContain('<FormerUPN>A&lt;&amp;&gt;&quot;B</FormerUPN>');
  });

  it('keeps values as raw strings, trims surrounding space, and skips unknown elements with a warning', async () => {
    const xml = readFileSync(CIN_FILE, 'utf8')
      .replace('<Sex>F</Sex>', '<Sex>  X9 </Sex><Nickname>Bo</Nickname>')
      .replace(
        '<PersonBirthDate>2015-05-10</PersonBirthDate>',
        '<PersonBirthDate>10/05/2015</PersonBirthDate>',
      );
    const path = tempFile('raw.xml', xml);
    const file = await openCin(path, { censusYear: 2026 });
    const first = (await file.children.next()).value;
    expect(first?.identifiers.Sex).toBe('X9');
    expect(first?.identifiers.PersonBirthDate).toBe('10/05/2015');
    for await (const c of file.children) expect(c.identifiers.LAchildID).toBeDefined();
    expect(file.warnings).toEqual([
      expect.stringContaining('skipped 1 unknown element <Nickname> in <ChildIdentifiers>'),
    ]);
  });

  it('refuses a file that is not XML, naming what it is', async () => {
    const png = tempFile(
      'picture.xml',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    );
    expect((await fileError(() => readAll(png))).message).toMatch(
      /picture\.xml: this is not an XML file: it looks like a PNG image/,
    );
    const text = tempFile('notes.xml', 'Dear colleague,\nplease find attached.');
    expect((await fileError(() => readAll(text))).detail).toBe(
      'this is not an XML file: it does not start with "<"',
    );
    const empty = tempFile('empty.xml', '');
    expect((await fileError(() => readAll(empty))).detail).toBe('the file is empty');
    const latin1 = tempFile(
      'latin1.xml',
      Buffer.concat([
        Buffer.from('<Message><Header>'),
        Buffer.from([0xe9, 0x41]),
        Buffer.from('</Header></Message>'),
      ]),
    );
    expect((await fileError(() => readAll(latin1))).detail).toMatch(/not UTF-8/);
  });

  it('refuses malformed XML with the line of the problem', async () => {
    const xml = readFileSync(CIN_FILE, 'utf8').replace(
      '<Ethnicity>MWBC</Ethnicity>',
      '<Ethnicity>MWBC</Ethnic>',
    );
    const line = xml.split('\n').findIndex((l) => l.includes('</Ethnic>')) + 1;
    const error = await fileError(() => readAll(tempFile('bad.xml', xml)));
    expect(error.detail).toMatch(/^the XML is malformed: unexpected close tag/);
    expect(error.line).toBe(line);
    const cut = tempFile('cut.xml', xml.slice(0, 2000));
    expect((await fileError(() => readAll(cut))).detail).toMatch(/^the XML is malformed: unclosed tag/);
  });

  it('refuses XML that is not a CIN census, or a census of another year', async () => {
    const other = tempFile('other.xml', '<?xml version="1.0"?>\n<Invoice><Total>3</Total></Invoice>');
    const e1 = await fileError(() => readAll(other));
    expect(e1.detail).toBe('this is not a CIN census: its root element is <Invoice>, not <Message>');
    expect(e1.line).toBe(2);
    const school = tempFile(
      'school.xml',
      readFileSync(CIN_FILE, 'utf8').replace(
        '<Collection>CIN</Collection>',
        '<Collection>SCHOOL</Collection>',
      ),
    );
    expect((await fileError(() => readAll(school))).detail).toBe(
      'this is not a CIN census: its Collection is "SCHOOL", not "CIN"',
    );
    const noHeader = tempFile('noheader.xml', '<Message><Children><Child></Child></Children></Message>');
    expect((await fileError(() => readAll(noHeader))).detail).toBe(
      'this is not a CIN census: no Header comes before the children',
    );
    const bare = tempFile('bare.xml', '<Message/>');
    expect((await fileError(() => readAll(bare))).detail).toBe('this is not a CIN census: it has no Header');
    expect((await fileError(() => readAll(CIN_FILE, 2025))).detail).toBe(
      'this census is for 2026, not 2025: check --year',
    );
  });

  it('fails fast, with bounded memory, on a huge single element streamed in', async () => {
    let produced = 0;
    const chunk = 'x'.repeat(1024 * 1024);
    const huge = new Readable({
      read() {
        if (produced === 0)
          this.push(`${readFileSync(CIN_FILE, 'utf8').split('<Ethnicity>')[0] ?? ''}<Ethnicity>`);
        produced += 1;
        // 2 GB if read to the end.
        this.push(produced > 2048 ? null : chunk);
      },
    });
    const before = process.memoryUsage().rss;
    const error = await fileError(() => readAll(huge));
    expect(error.detail).toMatch(/64 KB/);
    expect(produced).toBeLessThan(5);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    expect(huge.destroyed).toBe(true);
  });

  it('refuses a value over the limit even when split across chunks, and absurd nesting', async () => {
    const long = `<Message><Header><CollectionDetails><Collection>${'C'.repeat(MAX_TEXT + 10)}</Collection></CollectionDetails></Header></Message>`;
    expect(
      (await fileError(() => readAll(Readable.from([long.slice(0, 40000), long.slice(40000)])))).detail,
    ).toMatch(/longer than 64 KB|without a complete element/);
    const deep = `<Message>${'<a>'.repeat(40)}${'</a>'.repeat(40)}</Message>`;
    expect((await fileError(() => readAll(tempFile('deep.xml', deep)))).detail).toBe(
      'elements are nested more than 32 deep',
    );
  });

  it('refuses a child with more than 5,000 CINdetails', async () => {
    const xml = readFileSync(CIN_FILE, 'utf8');
    const [head, rest] = xml.split('</ChildCharacteristics>') as [string, string];
    const many = '<CINdetails><ReferralNFA>false</ReferralNFA></CINdetails>\n'.repeat(5001);
    const error = await fileError(() =>
      readAll(tempFile('many.xml', `${head}</ChildCharacteristics>${many}${rest}`)),
    );
    expect(error.detail).toBe('a child has more than 5000 CINdetails, which no census child can have');
  });

  it('yields the header first, then children one at a time', async () => {
    const kinds: string[] = [];
    for await (const item of readCin(CIN_FILE)) kinds.push(item.kind);
    expect(kinds).toEqual(['header', 'child', 'child', 'child']);
  });
});

describe('SSDA903 reader', () => {
  it('groups every file by child, with 1-based data row numbers and blank cells absent', async () => {
    const read = await readSsda903(DIR_903, 2026);
    expect(read.context.year).toBe('2025-26');
    expect(read.context.hasPrevious).toBe(false);
    expect(read.files.Header).toBe('Header.csv');
    expect(read.files.DoLo).toBeUndefined();
    expect(read.children.map((c) => c.id)).toEqual(['C1001', 'C1002']);
    const second = read.children[1] as Child903;
    expect(second.tables.Episodes).toEqual([
      {
        row: 2,
        values: {
          CHILD: 'C1002',
          DECOM: '20/06/2025',
          RNE: 'S',
          LS: 'V2',
          CIN: 'N1',
          PLACE: 'U6',
          PLACE_PROVIDER: 'PR1',
          DEC: '12/12/2025',
          REC: 'E4A',
          HOME_POST: 'AL1 3JY',
          PL_POST: 'AL3 5PQ',
          URN: 'XXXXXXX',
        },
      },
    ]);
    expect(second.tables.Reviews.map((r) => r.row)).toEqual([4, 5]);
    expect(second.previous).toBeUndefined();
  });

  it('round-trips what the writer writes, and attaches last year with --previous', async () => {
    const dir = join(temp, 'written');
    const prev = join(temp, 'written-prev');
    const child = baseline903Child(2026);
    const episode = child.tables.Episodes[0];
    if (episode) episode.values['HOME_POST'] = 'AL1 "3,JY"';
    const counts = await write903(dir, [child], 2026);
    expect(counts.Reviews).toBe(3);
    expect(readdirSync(dir)).not.toContain('DoLo.csv');
    await write903(prev, [baseline903Child(2025).tables], '2024-25');
    const read = await readSsda903(dir, 2026, prev);
    expect(read.context.hasPrevious).toBe(true);
    const [got] = read.children;
    expect(got?.tables).toEqual(child.tables);
    expect(got?.previous?.Episodes[0]?.values['DECOM']).toBe('10/05/2024');
    expect(csvCell('a"b')).toBe('"a""b"');
  });

  it('accepts file names in any case and with a year suffix', async () => {
    const dir = tempCopy903();
    renameSync(join(dir, 'Header.csv'), join(dir, 'header.CSV'));
    renameSync(join(dir, 'Episodes.csv'), join(dir, 'episodes_2026.csv'));
    writeFileSync(join(dir, 'notes.csv'), 'a,b\n');
    const warnings: string[] = [];
    const files = findSsda903Files(dir, '2025-26', warnings);
    expect(files).toMatchObject({ Header: 'header.CSV', Episodes: 'episodes_2026.csv' });
    expect(warnings).toEqual(['notes.csv: ignored (not the name of an SSDA903 table)']);
    writeFileSync(join(dir, 'Episodes.csv'), readFileSync(join(dir, 'episodes_2026.csv')));
    expect((await fileError(() => readSsda903(dir, 2026))).detail).toMatch(
      /two files hold the Episodes table/,
    );
  });

  it('refuses a directory without Episodes, or that is not a directory', async () => {
    const dir = tempCopy903();
    rmSync(join(dir, 'Episodes.csv'));
    expect((await fileError(() => readSsda903(dir, 2026))).detail).toBe(
      'there is no Episodes file (expected Episodes.csv); the Header and Episodes files are required',
    );
    expect((await fileError(() => readSsda903(join(temp, 'no-such-dir'), 2026))).detail).toMatch(
      /cannot be read/,
    );
    expect((await fileError(() => readSsda903(join(DIR_903, 'Header.csv'), 2026))).detail).toMatch(
      /not a directory/,
    );
  });

  it('refuses unexpected, missing or repeated columns, naming them', async () => {
    const dir = tempCopy903();
    writeFileSync(
      join(dir, 'Reviews.csv'),
      'CHILD,DOB,REVIEW_DATE,REVIEW_CODE,NOTES\nC1001,15/07/2012,06/06/2025,PN1,x\n',
    );
    const error = await fileError(() => readSsda903(dir, 2026));
    expect(error.file).toBe('Reviews.csv');
    expect(error.line).toBe(1);
    expect(error.detail).toBe(
      `the header row does not match the Reviews table: missing column REVIEW; unexpected columns REVIEW_DATE, NOTES. Expected: ${SSDA903_COLUMNS.Reviews.join(',')}`,
    );
    writeFileSync(join(dir, 'Reviews.csv'), 'CHILD,DOB,REVIEW,REVIEW_CODE,DOB\n');
    expect((await fileError(() => readSsda903(dir, 2026))).detail).toMatch(/repeated column DOB/);
  });

  it('refuses files that are not comma-separated text', async () => {
    const dir = tempCopy903();
    writeFileSync(
      join(dir, 'Header.csv'),
      'CHILD;SEX;DOB;ETHNIC;UPN;MOTHER;MC_DOB\nC1001;F;15/07/2012;WBRI;;;\n',
    );
    expect((await fileError(() => readSsda903(dir, 2026))).detail).toBe(
      'the columns are separated by ";"; SSDA903 files must be comma-separated (CSV)',
    );
    writeFileSync(join(dir, 'Header.csv'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0]));
    expect((await fileError(() => readSsda903(dir, 2026))).detail).toBe(
      'this is not a CSV file: it looks like a ZIP archive or an Excel/Word file',
    );
    writeFileSync(join(dir, 'Header.csv'), '');
    expect((await fileError(() => readSsda903(dir, 2026))).detail).toMatch(/the file is empty/);
    writeFileSync(join(dir, 'Header.csv'), 'CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1001,F,15/07/2012\n');
    const short = await fileError(() => readSsda903(dir, 2026));
    expect(short.detail).toBe('this row has a different number of cells from the header row');
    expect(short.line).toBe(2);
  });
});
