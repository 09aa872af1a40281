import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  careFormContext,
  carePage,
  changeLegalStatus,
  endCare,
  movePlacement,
  placementMoveLetter,
  startCare,
  type CareFormContext,
} from '../../../modules/care/care.service.ts';
import {
  EMPTY_PLACEMENT,
  HEALTH_KINDS,
  LAC_REVIEW_DECISIONS,
  MISSING_KINDS,
  NEXT_AFTER_CARE,
  SIBLINGS,
  readContact,
  readEndCare,
  readHealth,
  readLegalStatus,
  readMissing,
  readMove,
  readPep,
  readPermanence,
  readReview,
  readStartCare,
  readStayingPut,
} from '../../../modules/care/form.ts';
import {
  auditCareForm,
  recordCareReview,
  recordContact,
  recordHealth,
  recordMissing,
  recordPep,
  recordPermanence,
  saveStayingPut,
  saveUasc,
  wellbeingRecord,
} from '../../../modules/care/records.service.ts';
import { SDQ_BAND_LABELS } from '../../../modules/care/rules.ts';
import {
  CARE_LEAVER_ACCOMMODATION,
  CARE_LEAVER_ACTIVITY,
  CARE_LEAVER_ELIGIBILITY,
  CARE_LEAVER_IN_TOUCH,
  CARE_NEEDS,
  EPISODE_END_REASONS,
  LEGAL_STATUSES,
  PERMANENCE_PLANS,
  PLACEMENT_CHANGE_REASONS,
  PLACEMENT_PROVIDERS,
  PLACEMENT_TYPES,
  PLACEMENT_TYPE_GROUPS,
  REVIEW_PARTICIPATION,
} from '../../../modules/help/codes.ts';
import { EMPTY_DATE, isoToday, partsFromIso, type FormSource } from '../../../modules/people/person-form.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError } from '../../../platform/errors.ts';
import { field, fieldList } from '../../forms.ts';
import { actorOf } from '../guard.ts';
import { pageErrors, postedVersion, type PageErrors } from '../people/helpers.ts';

type ChildParams = { Params: { id: string } };
type LetterParams = { Params: { id: string; placementId: string } };

function source(request: FastifyRequest): FormSource {
  return { get: (name) => field(request.body, name, 20_000), list: (name) => fieldList(request.body, name) };
}

function carePath(personId: string): string {
  return `/children/${personId}/care`;
}

/** Radio items from a code list ("C2: Full care order" when `withCode`), the chosen one checked. */
function radios(list: Readonly<Record<string, string>>, selected: string, withCode = false) {
  return Object.entries(list).map(([value, text]) => ({
    value,
    text: withCode ? `${value}: ${text}` : text,
    checked: value === selected,
  }));
}

/** Select items from a code list with a prompt first. */
function select(list: Readonly<Record<string, string>>, selected: string, prompt: string, withCode = true) {
  return [
    { value: '', text: prompt, selected: selected === '' },
    ...Object.entries(list).map(([value, text]) => ({
      value,
      text: withCode ? `${value}: ${text}` : text,
      selected: value === selected,
    })),
  ];
}

function placementTypeItems(selected: string) {
  const items = [{ value: '', text: 'Select where the child lives', selected: selected === '' }];
  for (const group of PLACEMENT_TYPE_GROUPS)
    for (const code of group.codes)
      items.push({
        value: code,
        text: `${group.label} – ${code}: ${PLACEMENT_TYPES[code] ?? code}`,
        selected: code === selected,
      });
  return items;
}

function placementOptions(values: {
  placementType: string;
  provider: string;
  withSiblings: string;
  addressHidden: string;
}) {
  return {
    placementTypes: placementTypeItems(values.placementType),
    providers: select(PLACEMENT_PROVIDERS, values.provider, 'Select who provides the placement'),
    siblings: radios(SIBLINGS, values.withSiblings),
    hiddenItems: [
      {
        value: 'yes',
        text: 'Yes, keep the address and the carers’ names from the birth family',
        checked: values.addressHidden !== 'no',
      },
      {
        value: 'no',
        text: 'No, the family may know where the child lives',
        checked: values.addressHidden === 'no',
      },
    ],
  };
}

const DONE: Readonly<Record<string, string>> = {
  started: 'The child is now looked after. The first review is due within 20 working days.',
  legal: 'The legal status has been changed.',
  moved: 'The placement move has been recorded. You can print a letter to the parents.',
  ended: 'The period of care has ended.',
  reviewed: 'The review has been recorded.',
  health: 'The health record has been saved.',
  pep: 'The personal education plan has been recorded.',
  missing: 'The missing episode has been recorded.',
  permanence: 'The plan for permanence has been saved.',
  uasc: 'The UASC status has been saved.',
  contact: 'The contact has been recorded.',
  stayingput: 'Staying put has been saved.',
};

type FormSpec<V> = {
  readonly path: string;
  readonly view: string;
  readonly purpose: string;
  readonly blank: (context: CareFormContext) => V;
  readonly read: (source: FormSource) => V;
  readonly options?: (values: V, context: CareFormContext) => Record<string, unknown>;
  /** When false the page sends the person back to the care page (for example nobody is in care). */
  readonly allowed: (context: CareFormContext) => boolean;
  readonly version?: (context: CareFormContext) => number;
  readonly save: (request: FastifyRequest<ChildParams>, values: V, version: number) => Promise<string>;
};

/** Routes for the care pages. */
export async function careRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  app.get<ChildParams>('/children/:id/care', async (request, reply) => {
    const { overview, record } = await carePage(deps, actorOf(request), {
      personId: request.params.id,
      requestId: request.id,
      route: '/children/:id/care',
    });
    return reply.view('pages/care/index.njk', {
      ...overview,
      record,
      base: carePath(overview.child.id),
      done: DONE[field(request.query, 'done', 20)] ?? '',
      lastPlacement: field(request.query, 'placement', 40),
    });
  });

  function formRoutes<V>(spec: FormSpec<V>): void {
    const url = `/children/:id/care/${spec.path}`;
    const render = async (
      request: FastifyRequest<ChildParams>,
      reply: FastifyReply,
      posted?: { values: V; version: number; errors: PageErrors },
    ) => {
      const context = await careFormContext(deps, actorOf(request), {
        personId: request.params.id,
        purpose: `care.${spec.purpose}`,
        requestId: request.id,
        route: url,
      });
      if (!spec.allowed(context)) return reply.redirect(carePath(context.child.id), 303);
      const values = posted?.values ?? spec.blank(context);
      if (posted) reply.code(400);
      return reply.view(`pages/care/${spec.view}.njk`, {
        ...context,
        base: carePath(context.child.id),
        values,
        version: posted?.version ?? (spec.version ? spec.version(context) : (context.period?.version ?? 0)),
        errors: posted?.errors,
        ...(spec.options ? spec.options(values, context) : {}),
      });
    };
    app.get<ChildParams>(url, async (request, reply) => render(request, reply));
    app.post<ChildParams>(url, async (request, reply) => {
      const values = spec.read(source(request));
      const version = postedVersion(request);
      try {
        const to = await spec.save(request, values, version);
        return await reply.redirect(to, 303);
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw error;
        return render(request, reply, { values, version, errors: pageErrors(error) });
      }
    });
  }

  const todayParts = () => partsFromIso(isoToday(deps.clock.now()));
  const inCare = (c: CareFormContext) => c.period !== null;
  const context = (request: FastifyRequest<ChildParams>) => ({
    personId: request.params.id,
    requestId: request.id,
  });

  // Coming into care --------------------------------------------------------------------------------
  formRoutes({
    path: 'start',
    view: 'start',
    purpose: 'start',
    allowed: (c) => c.startBlockedBecause === null,
    blank: (c) => ({
      ...EMPTY_PLACEMENT,
      startedOn: todayParts(),
      legalStatus: '',
      categoryOfNeed: '',
      homePostcode: c.homePostcode,
      reason: '',
    }),
    read: readStartCare,
    options: (v) => ({
      ...placementOptions(v),
      legalStatuses: radios(LEGAL_STATUSES, v.legalStatus, true),
      needs: radios(CARE_NEEDS, v.categoryOfNeed, true),
    }),
    save: async (request, values) => {
      await startCare(deps, actorOf(request), { ...context(request), values });
      return `${carePath(request.params.id)}?done=started`;
    },
  });

  // Legal status ------------------------------------------------------------------------------------
  formRoutes({
    path: 'legal-status',
    view: 'legal-status',
    purpose: 'legal_status',
    allowed: inCare,
    blank: () => ({ changedOn: todayParts(), legalStatus: '' }),
    read: readLegalStatus,
    options: (v) => ({ legalStatuses: radios(LEGAL_STATUSES, v.legalStatus, true) }),
    save: async (request, values, version) => {
      await changeLegalStatus(deps, actorOf(request), { ...context(request), version, values });
      return `${carePath(request.params.id)}?done=legal`;
    },
  });

  // Placement moves ---------------------------------------------------------------------------------
  formRoutes({
    path: 'placements/new',
    view: 'move',
    purpose: 'placement_move',
    allowed: inCare,
    blank: () => ({
      ...EMPTY_PLACEMENT,
      movedOn: todayParts(),
      changeReason: '',
      changeNote: '',
      sameCarer: '',
    }),
    read: readMove,
    options: (v) => ({
      ...placementOptions(v),
      reasons: select(PLACEMENT_CHANGE_REASONS, v.changeReason, 'Select why the child moved'),
      sameCarerItems: [
        { value: 'no', text: 'No, the child moved to new carers', checked: v.sameCarer === 'no' },
        {
          value: 'yes',
          text: 'Yes, the same carers under a new arrangement (for example from short-term to long-term fostering)',
          checked: v.sameCarer === 'yes',
        },
      ],
    }),
    save: async (request, values, version) => {
      const moved = await movePlacement(deps, actorOf(request), { ...context(request), version, values });
      return `${carePath(request.params.id)}?done=moved&placement=${moved.placementId}`;
    },
  });

  // The end of the period ---------------------------------------------------------------------------
  formRoutes({
    path: 'end',
    view: 'end',
    purpose: 'end',
    allowed: inCare,
    blank: () => ({ endedOn: todayParts(), reasonCeased: '', next: '', note: '', eligibility: '' }),
    read: readEndCare,
    options: (v) => {
      const reasons: Record<string, string> = { ...EPISODE_END_REASONS };
      delete reasons['X1'];
      return {
        reasons: select(reasons, v.reasonCeased, 'Select why the child stopped being looked after'),
        nexts: radios(NEXT_AFTER_CARE, v.next),
        eligibilities: radios(CARE_LEAVER_ELIGIBILITY, v.eligibility),
      };
    },
    save: async (request, values, version) => {
      await endCare(deps, actorOf(request), { ...context(request), version, values });
      return `${carePath(request.params.id)}?done=ended`;
    },
  });

  // Reviews -----------------------------------------------------------------------------------------
  formRoutes({
    path: 'reviews/new',
    view: 'review',
    purpose: 'review',
    allowed: inCare,
    blank: () => ({
      reviewedOn: todayParts(),
      participation: '',
      familyView: '',
      childView: '',
      progressSummary: '',
      decision: '',
      returnHomeConsidered: '',
      returnHomeSteps: '',
      returnHomeFamilyView: '',
    }),
    read: readReview,
    options: (v, c) => {
      const last = c.period?.reviews.at(-1);
      return {
        participations: radios(REVIEW_PARTICIPATION, v.participation, true),
        decisions: radios(LAC_REVIEW_DECISIONS, v.decision),
        returnItems: radios({ yes: 'Yes', no: 'No, not now' }, v.returnHomeConsidered),
        lastReturnHome: last ?? null,
      };
    },
    save: async (request, values, version) => {
      await recordCareReview(deps, actorOf(request), { ...context(request), version, values });
      return `${carePath(request.params.id)}?done=reviewed#reviews`;
    },
  });

  // Health, education, missing ----------------------------------------------------------------------
  formRoutes({
    path: 'health/new',
    view: 'health',
    purpose: 'health',
    allowed: inCare,
    blank: () => ({ kind: '', onDate: todayParts(), sdqScore: '' }),
    read: readHealth,
    options: (v) => ({ kinds: radios(HEALTH_KINDS, v.kind), bands: Object.values(SDQ_BAND_LABELS) }),
    save: async (request, values) => {
      await recordHealth(deps, actorOf(request), { ...context(request), values });
      return `${carePath(request.params.id)}?done=health#health`;
    },
  });

  formRoutes({
    path: 'education/new',
    view: 'pep',
    purpose: 'pep',
    allowed: inCare,
    blank: () => ({ heldOn: todayParts(), note: '' }),
    read: readPep,
    save: async (request, values) => {
      await recordPep(deps, actorOf(request), { ...context(request), values });
      return `${carePath(request.params.id)}?done=pep#education`;
    },
  });

  formRoutes({
    path: 'missing/new',
    view: 'missing',
    purpose: 'missing',
    allowed: inCare,
    blank: () => ({
      kind: '',
      startedOn: EMPTY_DATE,
      endedOn: EMPTY_DATE,
      interviewOffered: '',
      interviewAccepted: '',
    }),
    read: readMissing,
    options: (v) => ({
      kinds: radios(MISSING_KINDS, v.kind),
      offeredItems: radios({ yes: 'Yes', no: 'No' }, v.interviewOffered),
      acceptedItems: radios({ yes: 'Yes', no: 'No' }, v.interviewAccepted),
    }),
    save: async (request, values) => {
      await recordMissing(deps, actorOf(request), { ...context(request), values });
      return `${carePath(request.params.id)}?done=missing#missing`;
    },
  });

  // Permanence --------------------------------------------------------------------------------------
  formRoutes({
    path: 'permanence',
    view: 'permanence',
    purpose: 'permanence',
    allowed: inCare,
    blank: (c) => ({
      permanencePlan: c.period?.permanencePlan ?? '',
      decisionOn: EMPTY_DATE,
      placementOrderOn: EMPTY_DATE,
      matchedOn: EMPTY_DATE,
      placedOn: EMPTY_DATE,
    }),
    read: readPermanence,
    options: (v) => ({ plans: radios(PERMANENCE_PLANS, v.permanencePlan) }),
    save: async (request, values, version) => {
      await recordPermanence(deps, actorOf(request), { ...context(request), version, values });
      return `${carePath(request.params.id)}?done=permanence#permanence`;
    },
  });

  // UASC and leaving care: forms that do not need an open period --------------------------------------
  async function simpleForm(
    request: FastifyRequest<ChildParams>,
    reply: FastifyReply,
    view: string,
    purpose: string,
    values: Readonly<Record<string, unknown>>,
    extra: Record<string, unknown>,
    errors?: PageErrors,
  ) {
    const child = await auditCareForm(deps, actorOf(request), {
      personId: request.params.id,
      purpose,
      requestId: request.id,
      route: request.routeOptions.url ?? '/children/:id/care',
    });
    if (errors) reply.code(400);
    return reply.view(`pages/care/${view}.njk`, {
      child,
      base: carePath(child.id),
      values,
      errors,
      ...extra,
    });
  }

  app.get<ChildParams>('/children/:id/care/uasc', async (request, reply) => {
    const record = await wellbeingRecord(deps, actorOf(request), { personId: request.params.id });
    const values = { uasc: record.uasc ? 'yes' : 'no', ceasedOn: partsFromIso(record.uascCeasedOn) };
    return simpleForm(request, reply, 'uasc', 'care.uasc', values, {
      items: radios({ yes: 'Yes', no: 'No' }, values.uasc),
    });
  });
  app.post<ChildParams>('/children/:id/care/uasc', async (request, reply) => {
    const form = source(request);
    const values = {
      uasc: form.get('uasc'),
      ceasedOn: {
        day: form.get('ceasedOn-day'),
        month: form.get('ceasedOn-month'),
        year: form.get('ceasedOn-year'),
      },
    };
    try {
      await saveUasc(deps, actorOf(request), { ...context(request), ...values });
      return await reply.redirect(`${carePath(request.params.id)}?done=uasc`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return simpleForm(
        request,
        reply,
        'uasc',
        'care.uasc',
        values,
        { items: radios({ yes: 'Yes', no: 'No' }, values.uasc) },
        pageErrors(error),
      );
    }
  });

  const contactOptions = (v: ReturnType<typeof readContact>) => ({
    inTouchItems: radios(CARE_LEAVER_IN_TOUCH, v.inTouch),
    activities: select(CARE_LEAVER_ACTIVITY, v.activity, 'Select the main activity', false),
    accommodations: select(CARE_LEAVER_ACCOMMODATION, v.accommodation, 'Select where they live', false),
    suitableItems: radios({ yes: 'Yes, suitable', no: 'No, not suitable' }, v.suitable),
  });
  app.get<ChildParams>('/children/:id/care/leaving-care/contacts/new', async (request, reply) => {
    const values = { contactedOn: todayParts(), inTouch: '', activity: '', accommodation: '', suitable: '' };
    return simpleForm(request, reply, 'contact', 'care_leaver.contact', values, contactOptions(values));
  });
  app.post<ChildParams>('/children/:id/care/leaving-care/contacts/new', async (request, reply) => {
    const values = readContact(source(request));
    try {
      await recordContact(deps, actorOf(request), { ...context(request), values });
      return await reply.redirect(`${carePath(request.params.id)}?done=contact#leaving-care`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return simpleForm(
        request,
        reply,
        'contact',
        'care_leaver.contact',
        values,
        contactOptions(values),
        pageErrors(error),
      );
    }
  });

  app.get<ChildParams>('/children/:id/care/leaving-care/staying-put', async (request, reply) => {
    const record = await wellbeingRecord(deps, actorOf(request), { personId: request.params.id });
    if (!record.careLeaver) return reply.redirect(carePath(record.child.id), 303);
    const values = {
      from: partsFromIso(record.careLeaver.stayingPutFrom),
      until: partsFromIso(record.careLeaver.stayingPutUntil),
    };
    return simpleForm(request, reply, 'staying-put', 'care_leaver.staying_put', values, {
      version: record.careLeaver.version,
    });
  });
  app.post<ChildParams>('/children/:id/care/leaving-care/staying-put', async (request, reply) => {
    const values = readStayingPut(source(request));
    const version = postedVersion(request);
    try {
      await saveStayingPut(deps, actorOf(request), { ...context(request), version, values });
      return await reply.redirect(`${carePath(request.params.id)}?done=stayingput#leaving-care`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return simpleForm(
        request,
        reply,
        'staying-put',
        'care_leaver.staying_put',
        values,
        { version },
        pageErrors(error),
      );
    }
  });

  // The letter to parents about a placement move ------------------------------------------------------
  app.get<LetterParams>('/children/:id/care/letters/placement-move/:placementId', async (request, reply) => {
    const letter = await placementMoveLetter(deps, actorOf(request), {
      personId: request.params.id,
      placementId: request.params.placementId,
      requestId: request.id,
      route: '/children/:id/care/letters/placement-move/:placementId',
    });
    return reply.view('pages/care/letter.njk', { letter, base: carePath(letter.child.id) });
  });
}
