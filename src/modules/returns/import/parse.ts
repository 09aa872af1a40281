/**
 * A return read into the values Hearth stores: ISO dates, booleans, codes checked against the
 * tables' code sets. Every value the record cannot hold is a problem (file, row, field); a child
 * with a problem is still read as far as possible, so every problem of the file is listed.
 */
import type { CinChild } from '../cin/model.ts';
import type { Child903 } from '../ssda903/model.ts';
import { normalisePostcode } from '../ssda903/postcodes.ts';
import { CODES, Fields, type ImportProblem } from './model.ts';

export type Where = { readonly file: string; readonly row: number | undefined };

export type PersonFacts = {
  childId: string;
  upn?: string | undefined;
  upnUnknown?: string | undefined;
  dateOfBirth?: string | undefined;
  expectedDateOfBirth?: string | undefined;
  sex?: 'M' | 'F' | 'U' | undefined;
  dateOfDeath?: string | undefined;
  ethnicity?: string | undefined;
  disabilities?: string[] | undefined;
  uasc?: boolean | undefined;
  uascCeasedOn?: string | null | undefined;
};

export type CinReferralFacts = {
  where: Where;
  referralDate: string;
  source: string;
  need: string;
  closedOn: string | undefined;
  closureReason: string | undefined;
  nfa: boolean;
  initialConferenceOn: string | undefined;
  assessments: {
    where: Where;
    startedOn: string;
    internalReviewOn: string | undefined;
    authorisedOn: string | undefined;
    factors: string[];
  }[];
  cinPlans: { where: Where; startedOn: string; endedOn: string | undefined }[];
  enquiries: {
    where: Where;
    startedOn: string;
    icpcTargetOn: string | undefined;
    icpcOn: string | undefined;
    icpcNotRequired: boolean | undefined;
  }[];
  protectionPlans: {
    where: Where;
    startedOn: string;
    endedOn: string | undefined;
    initialCategory: string;
    latestCategory: string | undefined;
    reviews: string[];
  }[];
};

export type CinChildFacts = { where: Where; person: PersonFacts; referrals: CinReferralFacts[] };

/** GenderCurrent (before 2024-25): 1 male, 2 female, 0 and 9 not known. */
function sexOf(f: Fields, field: string): 'M' | 'F' | 'U' | undefined {
  const v = f.raw(field);
  if (v === undefined) return undefined;
  const sex = ({ M: 'M', F: 'F', U: 'U', '1': 'M', '2': 'F', '0': 'U', '9': 'U' } as const)[v];
  if (sex === undefined) f.problem(field, `“${v}” is not a known code`);
  return sex;
}

export function cinChildFacts(
  child: CinChild,
  file: string,
  problems: ImportProblem[],
): CinChildFacts | undefined {
  const before = problems.length;
  const ids = child.identifiers;
  const idFields = new Fields(
    problems,
    file,
    ids.line || child.line,
    ids.LAchildID,
    ids as unknown as Record<string, string | undefined>,
  );
  const childId = idFields.childId('LAchildID');
  const at = (line: number, values: Record<string, string | undefined>) =>
    new Fields(problems, file, line, ids.LAchildID, values);
  const dateOfBirth = idFields.date('PersonBirthDate', 'iso');
  const expectedDateOfBirth = idFields.date('ExpectedPersonBirthDate', 'iso');
  const dateOfDeath = idFields.date('PersonDeathDate', 'iso');
  idFields.order('PersonBirthDate', dateOfBirth, 'PersonDeathDate', dateOfDeath);
  if (dateOfBirth !== undefined && expectedDateOfBirth !== undefined)
    idFields.problem('ExpectedPersonBirthDate', 'is given as well as PersonBirthDate; give one of them');
  const chars = at(child.characteristics.line, { Ethnicity: child.characteristics.Ethnicity });
  const disabilities: string[] = [];
  for (const d of child.characteristics.disabilities) {
    const code = at(child.characteristics.line, { Disability: d }).code('Disability', CODES.disability);
    if (code !== undefined && !disabilities.includes(code)) disabilities.push(code);
  }
  const person: PersonFacts = {
    childId: childId ?? '',
    upn: idFields.upn('UPN'),
    upnUnknown: idFields.code('UPNunknown', CODES.upnUnknown),
    dateOfBirth,
    expectedDateOfBirth,
    sex: ids.Sex !== undefined ? sexOf(idFields, 'Sex') : sexOf(idFields, 'GenderCurrent'),
    dateOfDeath,
    ethnicity: chars.code('Ethnicity', CODES.ethnicity),
    disabilities,
  };

  const referrals: CinReferralFacts[] = [];
  for (const d of child.cinDetails) {
    const f = at(d.line, d as unknown as Record<string, string | undefined>);
    const referralDate = f.required('CINreferralDate', f.date('CINreferralDate', 'iso'));
    const source = f.required('ReferralSource', f.code('ReferralSource', CODES.referralSource));
    const need = f.required('PrimaryNeedCode', f.code('PrimaryNeedCode', CODES.primaryNeed));
    const closedOn = f.date('CINclosureDate', 'iso');
    const closureReason = f.code('ReasonForClosure', CODES.closure);
    f.order('CINreferralDate', referralDate, 'CINclosureDate', closedOn);
    if (closedOn !== undefined && f.raw('ReasonForClosure') === undefined)
      f.problem('ReasonForClosure', 'is missing: a closed CIN episode needs its reason for closure');
    if (closedOn === undefined && f.raw('CINclosureDate') === undefined && closureReason !== undefined)
      f.problem('CINclosureDate', 'is missing: a reason for closure is given without the closure date');
    const referral: CinReferralFacts = {
      where: { file, row: d.line },
      referralDate: referralDate ?? '',
      source: source ?? '',
      need: need ?? '',
      closedOn,
      closureReason,
      nfa: f.bool('ReferralNFA') ?? false,
      initialConferenceOn: f.date('DateOfInitialCPC', 'iso'),
      assessments: [],
      cinPlans: [],
      enquiries: [],
      protectionPlans: [],
    };
    for (const a of d.assessments) {
      const af = at(a.line, a as unknown as Record<string, string | undefined>);
      const startedOn = af.required('AssessmentActualStartDate', af.date('AssessmentActualStartDate', 'iso'));
      const authorisedOn = af.date('AssessmentAuthorisationDate', 'iso');
      af.order('AssessmentActualStartDate', startedOn, 'AssessmentAuthorisationDate', authorisedOn);
      const factors: string[] = [];
      for (const factor of a.factors) {
        const code = at(a.line, { AssessmentFactors: factor }).code('AssessmentFactors', CODES.factor);
        if (code !== undefined && !factors.includes(code)) factors.push(code);
      }
      referral.assessments.push({
        where: { file, row: a.line },
        startedOn: startedOn ?? '',
        internalReviewOn: af.date('AssessmentInternalReviewDate', 'iso'),
        authorisedOn,
        factors,
      });
    }
    for (const p of d.cinPlanDates) {
      const pf = at(p.line, p as unknown as Record<string, string | undefined>);
      const startedOn = pf.required('CINPlanStartDate', pf.date('CINPlanStartDate', 'iso'));
      const endedOn = pf.date('CINPlanEndDate', 'iso');
      pf.order('CINPlanStartDate', startedOn, 'CINPlanEndDate', endedOn);
      referral.cinPlans.push({ where: { file, row: p.line }, startedOn: startedOn ?? '', endedOn });
    }
    for (const s of d.section47) {
      const sf = at(s.line, s as unknown as Record<string, string | undefined>);
      const startedOn = sf.required('S47ActualStartDate', sf.date('S47ActualStartDate', 'iso'));
      const icpcOn = sf.date('DateOfInitialCPC', 'iso');
      sf.order('S47ActualStartDate', startedOn, 'DateOfInitialCPC', icpcOn);
      referral.enquiries.push({
        where: { file, row: s.line },
        startedOn: startedOn ?? '',
        icpcTargetOn: sf.date('InitialCPCtarget', 'iso'),
        icpcOn,
        icpcNotRequired: sf.bool('ICPCnotRequired'),
      });
    }
    for (const p of d.childProtectionPlans) {
      const pf = at(p.line, p as unknown as Record<string, string | undefined>);
      const startedOn = pf.required('CPPstartDate', pf.date('CPPstartDate', 'iso'));
      const endedOn = pf.date('CPPendDate', 'iso');
      pf.order('CPPstartDate', startedOn, 'CPPendDate', endedOn);
      const initialCategory = pf.required(
        'InitialCategoryOfAbuse',
        pf.code('InitialCategoryOfAbuse', CODES.abuse),
      );
      pf.integer('NumberOfPreviousCPP', 0, 99);
      const reviews: string[] = [];
      for (const r of p.reviews) {
        const rf = at(r.line, { CPPreviewDate: r.CPPreviewDate });
        const on = rf.date('CPPreviewDate', 'iso');
        if (on !== undefined && !reviews.includes(on)) reviews.push(on);
      }
      referral.protectionPlans.push({
        where: { file, row: p.line },
        startedOn: startedOn ?? '',
        endedOn,
        initialCategory: initialCategory ?? '',
        latestCategory: pf.code('LatestCategoryOfAbuse', CODES.abuse),
        reviews,
      });
    }
    referrals.push(referral);
  }
  if (problems.length > before) return undefined;
  return { where: { file, row: child.line }, person, referrals };
}

// -------------------------------------------------------------------------------------------------
// SSDA903

export type EpisodeFacts = {
  where: Where;
  startedOn: string;
  reasonNew: string;
  legalStatus: string;
  categoryOfNeed: string;
  placement: string;
  provider: string | undefined;
  endedOn: string | undefined;
  reasonEnded: string | undefined;
  placeChange: string | undefined;
  homePostcode: string | undefined;
  placementPostcode: string | undefined;
  urn: string | undefined;
};

export type Child903Facts = {
  where: Where;
  person: PersonFacts;
  episodes: EpisodeFacts[];
  reviews: { where: Where; on: string; participation: string | undefined }[];
  /** OC2 flags and SDQ, when the child has an OC2 row. */
  outcomes:
    | { where: Where; kinds: string[]; sdqScore: number | undefined; sdqReason: string | undefined }
    | undefined;
  leaver:
    | { where: Where; inTouch: string; activity: string | undefined; accommodation: string | undefined }
    | undefined;
  adoption:
    | {
        where: Where;
        decisionOn: string;
        matchedOn: string | undefined;
        fosterCarer: boolean | undefined;
        adopters: number | undefined;
        adopterSex: string | undefined;
        adopterLegalStatus: string | undefined;
      }
    | undefined;
  placedForAdoption: {
    where: Where;
    decisionOn: string;
    ceasedOn: string | undefined;
    ceasedReason: string | undefined;
  }[];
  previousPermanence:
    { where: Where; code: string; la: string | undefined; on: string | undefined } | undefined;
  missing: { where: Where; kind: string; startedOn: string; endedOn: string | undefined }[];
  liberty: { where: Where; startedOn: string; endedOn: string | undefined }[];
  socialWorkerEpisodes: number;
};

const OC2_KINDS: readonly [string, string][] = [
  ['CONVICTED', 'conviction'],
  ['IMMUNISATIONS', 'immunisations_up_to_date'],
  ['TEETH_CHECK', 'dental_check'],
  ['HEALTH_ASSESSMENT', 'health_assessment'],
  ['SUBSTANCE_MISUSE', 'substance_misuse'],
  ['INTERVENTION_RECEIVED', 'substance_intervention_received'],
  ['INTERVENTION_OFFERED', 'substance_intervention_offered'],
];

/**
 * A postcode as Hearth stores it (`wd64ae` → `WD6 4AE`, as the care record's forms and the postcode
 * directory write it), so the insight views and the care record can find its grid reference and
 * neighbourhood; a value not shaped like a postcode is kept as the file gives it.
 */
function postcode(value: string | undefined): string | undefined {
  return normalisePostcode(value) ?? value;
}

/** SSDA903 SEX: 1 male, 2 female (Hearth's own files write M and F). */
function sex903(f: Fields): 'M' | 'F' | 'U' | undefined {
  const v = f.raw('SEX');
  if (v === undefined) return undefined;
  const sex = ({ M: 'M', F: 'F', '1': 'M', '2': 'F' } as const)[v];
  if (sex === undefined) f.problem('SEX', `“${v}” is not a known code`);
  return sex;
}

export function child903Facts(
  child: Child903,
  files: Partial<Record<string, string>>,
  problems: ImportProblem[],
): Child903Facts | undefined {
  const before = problems.length;
  const t = child.tables;
  const fileOf = (table: string) => files[table] ?? `${table}.csv`;
  const at = (table: string, row: { row: number; values: Record<string, string | undefined> }) =>
    new Fields(problems, fileOf(table), row.row, child.id, row.values);
  const header = t.Header[0];
  const firstRow = header ?? t.Episodes[0] ?? t.OC3[0];
  const where: Where = { file: fileOf(header ? 'Header' : 'Episodes'), row: firstRow?.row };
  // Every row of the child is checked for its id (the reader grouped them by the raw CHILD value).
  for (const table of Object.keys(t) as (keyof typeof t)[])
    for (const r of t[table]) {
      const f = at(table, r);
      if (f.childId('CHILD') === undefined) break;
    }
  if (t.Header.length > 1)
    at('Header', t.Header[1] ?? { row: 0, values: {} }).problem(
      'CHILD',
      'the child has more than one Header row',
    );
  const person: PersonFacts = { childId: child.id };
  if (header) {
    const f = at('Header', header);
    person.sex = sex903(f);
    person.dateOfBirth = f.date('DOB', 'uk');
    person.ethnicity = f.code('ETHNIC', CODES.ethnicity);
    const upn = f.raw('UPN');
    if (upn !== undefined && /^UN\d$/.test(upn)) person.upnUnknown = f.code('UPN', CODES.upnUnknown903);
    else person.upn = f.upn('UPN');
    f.bool('MOTHER');
    f.date('MC_DOB', 'uk');
  } else if (t.Episodes.length > 0) {
    at('Episodes', t.Episodes[0] ?? { row: 0, values: {} }).problem('CHILD', 'the child has no Header row');
  }

  const episodes: EpisodeFacts[] = t.Episodes.map((r) => {
    const f = at('Episodes', r);
    const startedOn = f.required('DECOM', f.date('DECOM', 'uk'));
    const endedOn = f.date('DEC', 'uk');
    f.order('DECOM', startedOn, 'DEC', endedOn);
    const reasonEnded = f.code('REC', CODES.reasonEnded);
    if (endedOn !== undefined && f.raw('REC') === undefined)
      f.problem('REC', 'is missing: the episode has ended (DEC)');
    if (endedOn === undefined && f.raw('DEC') === undefined && reasonEnded !== undefined)
      f.problem('DEC', 'is missing: a reason the episode ended (REC) is given');
    return {
      where: { file: fileOf('Episodes'), row: r.row },
      startedOn: startedOn ?? '',
      reasonNew: f.required('RNE', f.code('RNE', CODES.reasonNew)) ?? '',
      legalStatus: f.required('LS', f.code('LS', CODES.legalStatus)) ?? '',
      categoryOfNeed: f.required('CIN', f.code('CIN', CODES.categoryOfNeed)) ?? '',
      placement: f.required('PLACE', f.code('PLACE', CODES.placement)) ?? '',
      provider: f.code('PLACE_PROVIDER', CODES.provider),
      endedOn,
      reasonEnded,
      placeChange: f.code('REASON_PLACE_CHANGE', CODES.placeChange),
      homePostcode: postcode(f.raw('HOME_POST')),
      placementPostcode: postcode(f.raw('PL_POST')),
      urn: f.raw('URN'),
    };
  });
  const starts = new Set<string>();
  for (const e of episodes) {
    if (e.startedOn !== '' && starts.has(e.startedOn))
      new Fields(problems, e.where.file, e.where.row, child.id, {}).problem(
        'DECOM',
        `a second episode starts on ${e.startedOn}`,
      );
    starts.add(e.startedOn);
  }

  const reviews = t.Reviews.map((r) => {
    const f = at('Reviews', r);
    return {
      where: { file: fileOf('Reviews'), row: r.row },
      on: f.required('REVIEW', f.date('REVIEW', 'uk')) ?? '',
      participation: f.code('REVIEW_CODE', CODES.participation),
    };
  });

  for (const r of t.UASC) {
    const f = at('UASC', r);
    person.uasc = true;
    person.uascCeasedOn = f.date('DUC', 'uk') ?? null;
  }

  let outcomes: Child903Facts['outcomes'];
  const oc2 = t.OC2[0];
  if (oc2) {
    const f = at('OC2', oc2);
    const kinds = OC2_KINDS.filter(([field]) => f.bool(field) === true).map(([, kind]) => kind);
    const sdqScore = f.integer('SDQ_SCORE', 0, 40);
    const sdqReason = f.code('SDQ_REASON', CODES.sdqReason);
    if (sdqScore !== undefined || sdqReason !== undefined) kinds.push('sdq');
    f.bool('HEALTH_CHECK');
    outcomes = { where: { file: fileOf('OC2'), row: oc2.row }, kinds, sdqScore, sdqReason };
  }

  let leaver: Child903Facts['leaver'];
  const oc3 = t.OC3[0];
  if (oc3) {
    const f = at('OC3', oc3);
    if (person.dateOfBirth === undefined) person.dateOfBirth = f.date('DOB', 'uk');
    leaver = {
      where: { file: fileOf('OC3'), row: oc3.row },
      inTouch: f.required('IN_TOUCH', f.code('IN_TOUCH', CODES.inTouch)) ?? '',
      activity: f.code('ACTIV', CODES.activity),
      accommodation: f.accommodation('ACCOM'),
    };
  }

  let adoption: Child903Facts['adoption'];
  const ad1 = t.AD1[0];
  if (ad1) {
    const f = at('AD1', ad1);
    const adopters = f.integer('NB_ADOPTR', 1, 2);
    adoption = {
      where: { file: fileOf('AD1'), row: ad1.row },
      decisionOn: f.required('DATE_INT', f.date('DATE_INT', 'uk')) ?? '',
      matchedOn: f.date('DATE_MATCH', 'uk'),
      fosterCarer: f.bool('FOSTER_CARE'),
      adopters,
      adopterSex: f.code('SEX_ADOPTR', CODES.adopterSex),
      adopterLegalStatus: f.code('LS_ADOPTR', CODES.adopterLegalStatus),
    };
  }

  const placedForAdoption = t.PlacedAdoption.map((r) => {
    const f = at('PlacedAdoption', r);
    const decisionOn = f.required('DATE_PLACED', f.date('DATE_PLACED', 'uk'));
    const ceasedOn = f.date('DATE_PLACED_CEASED', 'uk');
    f.order('DATE_PLACED', decisionOn, 'DATE_PLACED_CEASED', ceasedOn);
    return {
      where: { file: fileOf('PlacedAdoption'), row: r.row },
      decisionOn: decisionOn ?? '',
      ceasedOn,
      ceasedReason: f.code('REASON_PLACED_CEASED', CODES.placedCeased),
    };
  });

  let previousPermanence: Child903Facts['previousPermanence'];
  const prev = t.PrevPerm[0];
  if (prev) {
    const f = at('PrevPerm', prev);
    const code = f.code('PREV_PERM', CODES.previousPermanence);
    if (code !== undefined)
      previousPermanence = {
        where: { file: fileOf('PrevPerm'), row: prev.row },
        code,
        la: f.raw('LA_PERM'),
        on: f.date('DATE_PERM', 'uk'),
      };
  }

  const missing = t.Missing.map((r) => {
    const f = at('Missing', r);
    const startedOn = f.required('MIS_START', f.date('MIS_START', 'uk'));
    const endedOn = f.date('MIS_END', 'uk');
    f.order('MIS_START', startedOn, 'MIS_END', endedOn);
    return {
      where: { file: fileOf('Missing'), row: r.row },
      kind: f.required('MISSING', f.code('MISSING', CODES.missing)) ?? '',
      startedOn: startedOn ?? '',
      endedOn,
    };
  });

  const liberty = t.DoLo.map((r) => {
    const f = at('DoLo', r);
    const startedOn = f.required('DOLO_START', f.date('DOLO_START', 'uk'));
    const endedOn = f.date('DOLO_END', 'uk');
    f.order('DOLO_START', startedOn, 'DOLO_END', endedOn);
    return { where: { file: fileOf('DoLo'), row: r.row }, startedOn: startedOn ?? '', endedOn };
  });

  if (problems.length > before) return undefined;
  return {
    where,
    person,
    episodes: [...episodes].sort((a, b) => a.startedOn.localeCompare(b.startedOn)),
    reviews,
    outcomes,
    leaver,
    adoption,
    placedForAdoption,
    previousPermanence,
    missing,
    liberty,
    socialWorkerEpisodes: t.SWEpisodes.length,
  };
}
