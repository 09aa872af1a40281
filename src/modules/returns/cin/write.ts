/**
 * Writes a CIN census XML file from a header and a stream of children: the inverse of `read.ts`.
 * Elements are emitted in the sequence order of the specification (statutory-returns.md §1), with
 * no namespace, one element per line (so a reader's line numbers point at single values), and
 * blank values (undefined or '') left out. Values are written as given — this writer never fixes
 * or reformats data, so it can also produce deliberately broken files for tests.
 *
 * Children may come from an array or an async generator; the output stream's back-pressure is
 * respected, so memory stays at one child whatever the size of the return.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type {
  CinAssessment,
  CinChild,
  CinDetails,
  CinHeader,
  CinPlanDates,
  CinProtectionPlan,
  CinSection47,
} from './model.ts';

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

/** Builds the text of one block, one element per line, indented two spaces per level. */
class Lines {
  readonly parts: string[] = [];

  open(depth: number, name: string): void {
    this.parts.push(`${'  '.repeat(depth)}<${name}>`);
  }

  close(depth: number, name: string): void {
    this.parts.push(`${'  '.repeat(depth)}</${name}>`);
  }

  /** `<name>value</name>`, or nothing when the value is blank. */
  value(depth: number, name: string, value: string | undefined): void {
    if (value === undefined || value === '') return;
    this.parts.push(`${'  '.repeat(depth)}<${name}>${escapeXml(value)}</${name}>`);
  }

  /** Like `value`, but an empty element when blank (keeps a repeated item's place). */
  item(depth: number, name: string, value: string | undefined): void {
    if (value === undefined || value === '') this.parts.push(`${'  '.repeat(depth)}<${name}/>`);
    else this.value(depth, name, value);
  }

  text(): string {
    return this.parts.join('\n') + '\n';
  }
}

function headerXml(header: CinHeader): string {
  const l = new Lines();
  l.parts.push('<?xml version="1.0" encoding="UTF-8"?>');
  l.open(0, 'Message');
  l.open(1, 'Header');
  l.open(2, 'CollectionDetails');
  l.value(3, 'Collection', header.Collection);
  l.value(3, 'Year', header.Year);
  l.value(3, 'ReferenceDate', header.ReferenceDate);
  l.close(2, 'CollectionDetails');
  l.open(2, 'Source');
  l.value(3, 'SourceLevel', header.SourceLevel);
  l.value(3, 'LEA', header.LEA);
  l.value(3, 'SoftwareCode', header.SoftwareCode);
  l.value(3, 'Release', header.Release);
  l.value(3, 'SerialNo', header.SerialNo);
  l.value(3, 'DateTime', header.DateTime);
  l.close(2, 'Source');
  l.close(1, 'Header');
  l.open(1, 'Children');
  return l.text();
}

const FOOTER = '  </Children>\n</Message>\n';

function assessmentXml(l: Lines, a: CinAssessment): void {
  l.open(4, 'Assessments');
  l.value(5, 'AssessmentActualStartDate', a.AssessmentActualStartDate);
  l.value(5, 'AssessmentInternalReviewDate', a.AssessmentInternalReviewDate);
  l.value(5, 'AssessmentAuthorisationDate', a.AssessmentAuthorisationDate);
  if (a.factors.length > 0) {
    l.open(5, 'FactorsIdentifiedAtAssessment');
    for (const f of a.factors) l.item(6, 'AssessmentFactors', f);
    l.close(5, 'FactorsIdentifiedAtAssessment');
  }
  l.close(4, 'Assessments');
}

function planXml(l: Lines, p: CinPlanDates): void {
  l.open(4, 'CINPlanDates');
  l.value(5, 'CINPlanStartDate', p.CINPlanStartDate);
  l.value(5, 'CINPlanEndDate', p.CINPlanEndDate);
  l.close(4, 'CINPlanDates');
}

function section47Xml(l: Lines, s: CinSection47): void {
  l.open(4, 'Section47');
  l.value(5, 'S47ActualStartDate', s.S47ActualStartDate);
  l.value(5, 'InitialCPCtarget', s.InitialCPCtarget);
  l.value(5, 'DateOfInitialCPC', s.DateOfInitialCPC);
  l.value(5, 'ICPCnotRequired', s.ICPCnotRequired);
  l.close(4, 'Section47');
}

function protectionXml(l: Lines, p: CinProtectionPlan): void {
  l.open(4, 'ChildProtectionPlans');
  l.value(5, 'CPPstartDate', p.CPPstartDate);
  l.value(5, 'CPPendDate', p.CPPendDate);
  l.value(5, 'InitialCategoryOfAbuse', p.InitialCategoryOfAbuse);
  l.value(5, 'LatestCategoryOfAbuse', p.LatestCategoryOfAbuse);
  l.value(5, 'NumberOfPreviousCPP', p.NumberOfPreviousCPP);
  if (p.reviews.length > 0) {
    l.open(5, 'Reviews');
    for (const r of p.reviews) l.item(6, 'CPPreviewDate', r.CPPreviewDate);
    l.close(5, 'Reviews');
  }
  l.close(4, 'ChildProtectionPlans');
}

function detailsXml(l: Lines, d: CinDetails): void {
  l.open(3, 'CINdetails');
  l.value(4, 'CINreferralDate', d.CINreferralDate);
  l.value(4, 'ReferralSource', d.ReferralSource);
  l.value(4, 'PrimaryNeedCode', d.PrimaryNeedCode);
  l.value(4, 'CINclosureDate', d.CINclosureDate);
  l.value(4, 'ReasonForClosure', d.ReasonForClosure);
  l.value(4, 'DateOfInitialCPC', d.DateOfInitialCPC);
  for (const a of d.assessments) assessmentXml(l, a);
  for (const p of d.cinPlanDates) planXml(l, p);
  for (const s of d.section47) section47Xml(l, s);
  l.value(4, 'ReferralNFA', d.ReferralNFA);
  for (const p of d.childProtectionPlans) protectionXml(l, p);
  l.close(3, 'CINdetails');
}

/** One `<Child>` element, indented to sit inside `<Children>`, ending with a newline. */
export function childXml(child: CinChild): string {
  const l = new Lines();
  const id = child.identifiers;
  l.open(2, 'Child');
  l.open(3, 'ChildIdentifiers');
  l.value(4, 'LAchildID', id.LAchildID);
  l.value(4, 'UPN', id.UPN);
  l.value(4, 'FormerUPN', id.FormerUPN);
  l.value(4, 'UPNunknown', id.UPNunknown);
  l.value(4, 'PersonBirthDate', id.PersonBirthDate);
  l.value(4, 'ExpectedPersonBirthDate', id.ExpectedPersonBirthDate);
  l.value(4, 'Sex', id.Sex);
  l.value(4, 'GenderCurrent', id.GenderCurrent);
  l.value(4, 'PersonDeathDate', id.PersonDeathDate);
  l.close(3, 'ChildIdentifiers');
  l.open(3, 'ChildCharacteristics');
  l.value(4, 'Ethnicity', child.characteristics.Ethnicity);
  if (child.characteristics.disabilities.length > 0) {
    l.open(4, 'Disabilities');
    for (const d of child.characteristics.disabilities) l.item(5, 'Disability', d);
    l.close(4, 'Disabilities');
  }
  l.close(3, 'ChildCharacteristics');
  for (const d of child.cinDetails) detailsXml(l, d);
  l.close(2, 'Child');
  return l.text();
}

/** Text is buffered up to this size before each write, so small children are not written one by one. */
const FLUSH_AT = 64 * 1024;

async function put(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/**
 * Write a whole census to `stream` (which is left open: the caller ends it, e.g. with
 * `stream.end()` and `finished(stream)`). Returns the number of children written.
 */
export async function writeCin(
  header: CinHeader,
  children: Iterable<CinChild> | AsyncIterable<CinChild>,
  stream: Writable,
): Promise<number> {
  let buffer = headerXml(header);
  let count = 0;
  for await (const child of children) {
    buffer += childXml(child);
    count += 1;
    if (buffer.length >= FLUSH_AT) {
      await put(stream, buffer);
      buffer = '';
    }
  }
  await put(stream, buffer + FOOTER);
  return count;
}
