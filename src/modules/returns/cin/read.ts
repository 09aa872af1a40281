/**
 * Reads a CIN census XML file as a stream: the `Header` first, then one `Child` at a time, so
 * memory stays proportional to the largest child, never to the file (a council's census can hold
 * 50,000 children). Values are kept as the raw strings of the file, trimmed of surrounding
 * whitespace (blank = undefined), so the rules can report bad dates and unknown codes; `line` is the
 * line each element starts on.
 *
 * The file is refused with a `ReturnFileError` (file, line, plain-English reason) when it is not
 * UTF-8 XML, is malformed, is not a CIN census (root not `Message`, no `Header` with
 * `Collection` = CIN), is for a different census year than asked, or holds something absurdly
 * large: a single value or piece of markup over 64 KB, nesting deeper than 32 elements, or a
 * child with more than 5,000 CINdetails or 100,000 elements. These limits are checked as the file
 * streams in, so a 2 GB file of one element fails within its first chunks.
 *
 * Elements the census does not define are skipped (with their contents) and listed in
 * `warnings`; `PreProceedingsandFGDM` (2026-27) is read past without a warning.
 *
 * Element structure: statutory-returns.md §1.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { SaxesParser } from 'saxes';
import { notTextReason, ReturnFileError } from '../errors.ts';
import type {
  CinAssessment,
  CinChild,
  CinDetails,
  CinHeader,
  CinPlanDates,
  CinProtectionPlan,
  CinSection47,
} from './model.ts';

/** Longest value, or stretch of the file without markup, that is accepted. */
export const MAX_TEXT = 64 * 1024;
export const MAX_DEPTH = 32;
export const MAX_CIN_DETAILS = 5_000;
export const MAX_CHILD_ELEMENTS = 100_000;
/** The parser is fed slices no longer than this, so the limits are checked often. */
const SLICE = 64 * 1024;
const MAX_WARNINGS = 50;

export type CinReadOptions = {
  /** The census year asked for (2026 = the census of 31 March 2026); the Header's Year must match. */
  censusYear?: number | undefined;
  /** The name to report in errors (default: the path's base name, or `input`). */
  file?: string | undefined;
};

export type CinItem = { kind: 'header'; header: CinHeader } | { kind: 'child'; child: CinChild };

/** Leaf elements (holding one value) by their parent element. */
const LEAVES: Readonly<Record<string, ReadonlySet<string>>> = {
  CollectionDetails: new Set(['Collection', 'Year', 'ReferenceDate']),
  Source: new Set(['SourceLevel', 'LEA', 'SoftwareCode', 'Release', 'SerialNo', 'DateTime']),
  ChildIdentifiers: new Set([
    'LAchildID',
    'UPN',
    'FormerUPN',
    'UPNunknown',
    'PersonBirthDate',
    'ExpectedPersonBirthDate',
    'Sex',
    'GenderCurrent',
    'PersonDeathDate',
  ]),
  ChildCharacteristics: new Set(['Ethnicity']),
  Disabilities: new Set(['Disability']),
  CINdetails: new Set([
    'CINreferralDate',
    'ReferralSource',
    'PrimaryNeedCode',
    'CINclosureDate',
    'ReasonForClosure',
    'DateOfInitialCPC',
    'ReferralNFA',
  ]),
  Assessments: new Set([
    'AssessmentActualStartDate',
    'AssessmentInternalReviewDate',
    'AssessmentAuthorisationDate',
  ]),
  FactorsIdentifiedAtAssessment: new Set(['AssessmentFactors']),
  CINPlanDates: new Set(['CINPlanStartDate', 'CINPlanEndDate']),
  Section47: new Set(['S47ActualStartDate', 'InitialCPCtarget', 'DateOfInitialCPC', 'ICPCnotRequired']),
  ChildProtectionPlans: new Set([
    'CPPstartDate',
    'CPPendDate',
    'InitialCategoryOfAbuse',
    'LatestCategoryOfAbuse',
    'NumberOfPreviousCPP',
  ]),
  Reviews: new Set(['CPPreviewDate']),
};

/** Block elements by their parent element. */
const BLOCKS: Readonly<Record<string, ReadonlySet<string>>> = {
  Message: new Set(['Header', 'Children']),
  Header: new Set(['CollectionDetails', 'Source']),
  Children: new Set(['Child']),
  Child: new Set(['ChildIdentifiers', 'ChildCharacteristics', 'CINdetails']),
  ChildCharacteristics: new Set(['Disabilities']),
  CINdetails: new Set(['Assessments', 'CINPlanDates', 'Section47', 'ChildProtectionPlans']),
  Assessments: new Set(['FactorsIdentifiedAtAssessment']),
  ChildProtectionPlans: new Set(['Reviews']),
};

/** Known elements the census model does not hold: skipped silently. */
const KNOWN_UNMODELLED = new Set(['PreProceedingsandFGDM']);

type FrameKind = 'block' | 'leaf' | 'skip';
type Frame = { name: string; kind: FrameKind; line: number };

type Values = Record<string, string | undefined>;

/**
 * The census as a stream of items: the header first, then each child as its `</Child>` is read.
 * `warnings` (if given) collects notes on skipped elements.
 */
export async function* readCin(
  input: string | Readable,
  options: CinReadOptions = {},
  warnings: string[] = [],
): AsyncGenerator<CinItem, void, undefined> {
  const file = options.file ?? (typeof input === 'string' ? basename(input) : 'input');
  const source = typeof input === 'string' ? createReadStream(input) : input;
  const parser = new SaxesParser({ position: true });
  const queue: CinItem[] = [];
  const stack: Frame[] = [];
  const unknown = new Map<string, number>();

  let header: CinHeader | undefined;
  let headerDone = false;
  let child: CinChild | undefined;
  let childElements = 0;
  let details: CinDetails | undefined;
  let assessment: CinAssessment | undefined;
  let plan: CinPlanDates | undefined;
  let s47: CinSection47 | undefined;
  let cpp: CinProtectionPlan | undefined;
  let text = '';
  let lastMarkup = 0;
  let fed = 0;

  function fail(line: number | undefined, detail: string): never {
    throw new ReturnFileError(file, line, detail);
  }

  const checkHeader = (line: number): void => {
    const h = header ?? {};
    if (h.Collection?.trim() !== 'CIN') {
      fail(
        line,
        h.Collection === undefined
          ? 'this is not a CIN census: its Header has no CollectionDetails/Collection'
          : `this is not a CIN census: its Collection is "${h.Collection}", not "CIN"`,
      );
    }
    const asked = options.censusYear;
    if (asked !== undefined && h.Year?.trim() !== String(asked)) {
      fail(
        line,
        h.Year === undefined
          ? `the Header has no Year, so it cannot be checked against the census year ${String(asked)}`
          : `this census is for ${h.Year}, not ${String(asked)}: check --year`,
      );
    }
    headerDone = true;
    queue.push({ kind: 'header', header: h });
  };

  const open = (name: string, line: number): void => {
    const parent = stack[stack.length - 1];
    if (stack.length >= MAX_DEPTH) fail(line, `elements are nested more than ${String(MAX_DEPTH)} deep`);
    if (child && ++childElements > MAX_CHILD_ELEMENTS) {
      fail(
        line,
        `a child has more than ${String(MAX_CHILD_ELEMENTS)} elements, which no census child can have`,
      );
    }
    if (!parent) {
      if (name !== 'Message') {
        fail(line, `this is not a CIN census: its root element is <${name}>, not <Message>`);
      }
      stack.push({ name, kind: 'block', line });
      return;
    }
    if (parent.kind !== 'block') {
      stack.push({ name, kind: 'skip', line });
      return;
    }
    if (BLOCKS[parent.name]?.has(name)) {
      startBlock(name, line);
      stack.push({ name, kind: 'block', line });
      return;
    }
    if (LEAVES[parent.name]?.has(name)) {
      text = '';
      stack.push({ name, kind: 'leaf', line });
      return;
    }
    if (!KNOWN_UNMODELLED.has(name)) {
      const where = `<${name}> in <${parent.name}>`;
      unknown.set(where, (unknown.get(where) ?? 0) + 1);
    }
    stack.push({ name, kind: 'skip', line });
  };

  const startBlock = (name: string, line: number): void => {
    switch (name) {
      case 'Header':
        header = {};
        break;
      case 'Child':
        if (!headerDone) fail(line, 'this is not a CIN census: no Header comes before the children');
        child = {
          line,
          identifiers: { line },
          characteristics: { line, disabilities: [] },
          cinDetails: [],
        };
        childElements = 1;
        break;
      case 'ChildIdentifiers':
        if (child) child.identifiers.line = line;
        break;
      case 'ChildCharacteristics':
        if (child) child.characteristics.line = line;
        break;
      case 'CINdetails':
        if (child && child.cinDetails.length >= MAX_CIN_DETAILS) {
          fail(
            line,
            `a child has more than ${String(MAX_CIN_DETAILS)} CINdetails, which no census child can have`,
          );
        }
        details = {
          line,
          assessments: [],
          cinPlanDates: [],
          section47: [],
          childProtectionPlans: [],
        };
        child?.cinDetails.push(details);
        break;
      case 'Assessments':
        assessment = { line, factors: [] };
        details?.assessments.push(assessment);
        break;
      case 'CINPlanDates':
        plan = { line };
        details?.cinPlanDates.push(plan);
        break;
      case 'Section47':
        s47 = { line };
        details?.section47.push(s47);
        break;
      case 'ChildProtectionPlans':
        cpp = { line, reviews: [] };
        details?.childProtectionPlans.push(cpp);
        break;
      default:
        break;
    }
  };

  const setLeaf = (parent: string, name: string, line: number, raw: string): void => {
    const trimmed = raw.trim();
    const value = trimmed === '' ? undefined : trimmed;
    let target: Values | undefined;
    switch (parent) {
      case 'CollectionDetails':
      case 'Source':
        target = header;
        break;
      case 'ChildIdentifiers':
        target = child?.identifiers as Values | undefined;
        break;
      case 'ChildCharacteristics':
        target = child?.characteristics as Values | undefined;
        break;
      case 'Disabilities':
        if (value !== undefined) child?.characteristics.disabilities.push(value);
        return;
      case 'FactorsIdentifiedAtAssessment':
        if (value !== undefined) assessment?.factors.push(value);
        return;
      case 'Reviews':
        cpp?.reviews.push({ line, CPPreviewDate: value });
        return;
      case 'CINdetails':
        target = details as Values | undefined;
        break;
      case 'Assessments':
        target = assessment as Values | undefined;
        break;
      case 'CINPlanDates':
        target = plan as Values | undefined;
        break;
      case 'Section47':
        target = s47 as Values | undefined;
        break;
      case 'ChildProtectionPlans':
        target = cpp as Values | undefined;
        break;
      default:
        return;
    }
    if (target) target[name] = value;
  };

  const close = (): void => {
    const frame = stack.pop();
    if (!frame) return;
    const parent = stack[stack.length - 1];
    if (frame.kind === 'leaf') {
      if (parent) setLeaf(parent.name, frame.name, frame.line, text);
      text = '';
      return;
    }
    if (frame.kind !== 'block') return;
    switch (frame.name) {
      case 'Header':
        checkHeader(frame.line);
        break;
      case 'Child':
        if (child) queue.push({ kind: 'child', child });
        child = undefined;
        details = assessment = plan = s47 = cpp = undefined;
        break;
      case 'CINdetails':
        details = undefined;
        break;
      default:
        break;
    }
  };

  const addText = (t: string): void => {
    const top = stack[stack.length - 1];
    if (top?.kind !== 'leaf') return;
    if (text.length + t.length > MAX_TEXT) {
      fail(parser.line, `the value of <${top.name}> is longer than ${String(MAX_TEXT / 1024)} KB`);
    }
    text += t;
  };

  parser.on('opentag', (tag) => {
    lastMarkup = parser.position;
    open(tag.name, parser.line);
  });
  parser.on('closetag', () => {
    lastMarkup = parser.position;
    close();
  });
  parser.on('text', (t) => {
    lastMarkup = parser.position;
    addText(t);
  });
  const markup = (): void => {
    lastMarkup = parser.position;
  };
  parser.on('comment', markup);
  parser.on('processinginstruction', markup);
  parser.on('doctype', markup);
  parser.on('cdata', (t) => {
    lastMarkup = parser.position;
    addText(t);
  });

  const feed = (slice: string): void => {
    try {
      parser.write(slice);
    } catch (error) {
      if (error instanceof ReturnFileError) throw error;
      throw malformed(error, parser.line);
    }
    fed += slice.length;
    // (saxes's `position` is right inside its event handlers but not after `write` returns.)
    if (fed - lastMarkup > MAX_TEXT) {
      fail(
        parser.line,
        `more than ${String(MAX_TEXT / 1024)} KB of the file without a complete element: a value, tag or comment is far too long`,
      );
    }
  };

  const malformed = (error: unknown, line: number): ReturnFileError => {
    const raw = error instanceof Error ? error.message : String(error);
    // saxes prefixes "line:column: "; the line is reported separately.
    const reason = raw.replace(/^\d+:\d+:\s*/, '').replace(/\.$/, '');
    return new ReturnFileError(file, line, `the XML is malformed: ${reason}`);
  };

  const decoder = new TextDecoder('utf-8', { fatal: true });
  let first = true;
  try {
    for await (const chunk of source as AsyncIterable<Buffer | string>) {
      let str: string;
      if (typeof chunk === 'string') {
        str = chunk;
      } else {
        if (first) {
          const reason = notTextReason(chunk.subarray(0, 4096), 'an XML file');
          if (reason) fail(undefined, reason);
        }
        try {
          str = decoder.decode(chunk, { stream: true });
        } catch {
          fail(parser.line, 'the file is not UTF-8 text');
        }
      }
      if (first && str.length > 0) {
        const start = str.replace(/^\uFEFF/, '').trimStart();
        if (start.length > 0) {
          first = false;
          if (!start.startsWith('<')) {
            fail(1, 'this is not an XML file: it does not start with "<"');
          }
        }
      }
      for (let offset = 0; offset < str.length; offset += SLICE) {
        feed(str.slice(offset, offset + SLICE));
        if (queue.length > 0) yield* queue.splice(0);
      }
    }
    try {
      decoder.decode();
    } catch {
      fail(parser.line, 'the file is not UTF-8 text');
    }
    if (first) fail(undefined, 'the file is empty');
    try {
      parser.close();
    } catch (error) {
      if (error instanceof ReturnFileError) throw error;
      throw malformed(error, parser.line);
    }
    if (queue.length > 0) yield* queue.splice(0);
    if (!headerDone) fail(undefined, 'this is not a CIN census: it has no Header');
  } catch (error) {
    throw unreadable(error, file);
  } finally {
    for (const [where, count] of [...unknown].slice(0, MAX_WARNINGS)) {
      warnings.push(`${file}: skipped ${String(count)} unknown element${count === 1 ? '' : 's'} ${where}`);
    }
    if (typeof input === 'string') source.destroy();
  }
}

/** A file-system error (missing file, a directory, no permission) as a `ReturnFileError`. */
function unreadable(error: unknown, file: string): unknown {
  if (error instanceof ReturnFileError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return error;
  const why =
    code === 'ENOENT'
      ? 'it does not exist'
      : code === 'EISDIR'
        ? 'it is a directory'
        : code === 'EACCES'
          ? 'permission denied'
          : code;
  return new ReturnFileError(file, undefined, `the file cannot be read: ${why}`);
}

export type CinFile = {
  header: CinHeader;
  /** The children, read as they are iterated; iterate once. */
  children: AsyncGenerator<CinChild, void, undefined>;
  /** Notes on skipped elements, complete once `children` is exhausted. */
  warnings: string[];
};

/**
 * Open a census: reads up to the end of its Header (checking it is a CIN census of the year asked
 * for) and returns the header and the children still to be read.
 */
export async function openCin(input: string | Readable, options: CinReadOptions = {}): Promise<CinFile> {
  const warnings: string[] = [];
  const items = readCin(input, options, warnings);
  const first = await items.next();
  if (first.done || first.value.kind !== 'header') {
    // readCin throws before yielding a child without a header; this is only reached for an empty iterator.
    await items.return();
    throw new ReturnFileError(
      options.file ?? 'input',
      undefined,
      'this is not a CIN census: it has no Header',
    );
  }
  const header = first.value.header;
  async function* children(): AsyncGenerator<CinChild, void, undefined> {
    for await (const item of items) if (item.kind === 'child') yield item.child;
  }
  return { header, children: children(), warnings };
}
