import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PRIMARY_NEED_LIST, REFERRAL_SOURCE_LIST } from '../../../modules/help/codes.ts';
import { GOAL_PROGRESS } from '../../../modules/help/plan-codes.ts';
import { readGoal, type GoalValues } from '../../../modules/help/plan-form.ts';
import { addGoal } from '../../../modules/help/plans.ts';
import { EMPTY_DATE, isoToday, partsFromIso } from '../../../modules/people/person-form.ts';
import {
  ABUSE_CATEGORIES,
  AGENCIES,
  CLOSURE_REASONS,
  INITIAL_DECISIONS,
  PARTICIPANT_KINDS,
  REPORT_SHARED_HOW,
  REVIEW_DECISIONS,
  S47_OUTCOMES,
  STEP_TO,
  STRATEGY_DECISIONS,
} from '../../../modules/protection/codes.ts';
import {
  arrangeConference,
  arrangePage,
  changeArrangements,
  conferencePage,
  recordConferenceOutcome,
  type ArrangePage,
} from '../../../modules/protection/conferences.ts';
import {
  familyMeetingPage,
  offerFamilyMeeting,
  updateFamilyMeeting,
} from '../../../modules/protection/family-meetings.ts';
import {
  CORE_GROUP_ROWS,
  INVITATION_ROWS,
  emptyStrategy,
  padRows,
  readArrange,
  readConferenceOutcome,
  readCoreGroup,
  readFamilyMeeting,
  readOutcome,
  readStrategy,
  type ArrangeValues,
  type ConferenceOutcomeValues,
  type CoreGroupValues,
  type FamilyMeetingValues,
  type OutcomeValues,
  type StrategyValues,
} from '../../../modules/protection/forms.ts';
import {
  planFormPage,
  protectionOverview,
  protectionPlanPage,
  recordCoreGroup,
} from '../../../modules/protection/overview.ts';
import {
  outcomePage,
  recordOutcome,
  recordStrategyDiscussion,
  strategyDiscussionPage,
  strategyForm,
} from '../../../modules/protection/section47.ts';
import { familyViewsByKey } from '../../../modules/portal/content/views.ts';
import type { Deps } from '../../../platform/deps.ts';
import {
  ConflictError,
  ForbiddenError,
  InvalidInputError,
  VersionConflictError,
} from '../../../platform/errors.ts';
import { field, fieldList } from '../../forms.ts';
import { actorOf } from '../guard.ts';
import { choices, pageErrors, postedVersion, type PageErrors } from '../people/helpers.ts';

type ChildParams = { Params: { id: string } };
type SubParams = { Params: { id: string; sub: string } };

function form(request: FastifyRequest) {
  return {
    get: (name: string) => field(request.body, name, 20_000),
    list: (name: string) => fieldList(request.body, name),
  };
}

function base(personId: string): string {
  return `/children/${personId}/protection`;
}

function listItems(list: readonly (readonly [string, string])[], selected: string, prompt: string) {
  return [
    { value: '', text: prompt, selected: selected === '' },
    ...list.map(([value, text]) => ({ value, text: `${text} (${value})`, selected: value === selected })),
  ];
}

function kindItems(selected: string) {
  return [
    { value: '', text: 'Choose', selected: selected === '' },
    ...Object.entries(PARTICIPANT_KINDS).map(([value, text]) => ({
      value,
      text,
      selected: value === selected,
    })),
  ];
}

const DONE: Readonly<Record<string, string>> = {
  strategy: 'The strategy discussion has been recorded.',
  outcome: 'The outcome of the section 47 enquiry has been recorded.',
  arranged: 'The conference has been arranged.',
  changed: 'The conference arrangements have been saved.',
  held: 'What the conference decided has been recorded.',
  offered: 'The offer of a family group conference has been recorded.',
  meeting: 'The family group conference has been updated.',
  action: 'The action has been added to the plan.',
  core: 'The core group meeting has been recorded.',
};

function done(request: FastifyRequest): string {
  return DONE[field(request.query, 'done', 20)] ?? '';
}

/**
 * A form with nothing to do (no enquiry waiting for a conference, no open help): back to the
 * overview, which says what there is. A changed record (VersionConflictError) still gets its page.
 */
async function orOverview(
  request: FastifyRequest<ChildParams>,
  reply: FastifyReply,
  render: () => Promise<FastifyReply>,
): Promise<FastifyReply> {
  try {
    return await render();
  } catch (error) {
    if (!(error instanceof ConflictError) || error instanceof VersionConflictError) throw error;
    return reply.redirect(base(request.params.id), 303);
  }
}

/** Child protection: strategy discussions, section 47 enquiries, conferences, the plan, core groups. */
export async function protectionRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  app.get<ChildParams>('/children/:id/protection', async (request, reply) => {
    const page = await protectionOverview(deps, actorOf(request), {
      personId: request.params.id,
      requestId: request.id,
      route: '/children/:id/protection',
    });
    return reply.view('pages/protection/overview.njk', {
      ...page,
      base: base(page.child.id),
      done: done(request),
    });
  });

  // Strategy discussions --------------------------------------------------------------------------

  async function renderStrategy(
    request: FastifyRequest<ChildParams>,
    reply: FastifyReply,
    posted?: { values: StrategyValues; errors: PageErrors },
  ) {
    const page = await strategyForm(deps, actorOf(request), {
      personId: request.params.id,
      requestId: request.id,
      route: '/children/:id/protection/strategy-discussions/new',
    });
    const values = posted?.values ?? emptyStrategy(partsFromIso(isoToday(deps.clock.now())));
    if (posted) reply.code(400);
    return reply.view('pages/protection/strategy-form.njk', {
      ...page,
      base: base(page.child.id),
      values,
      rows: values.contributions.map((c, i) => ({
        ...c,
        index: i,
        agencyLabel: AGENCIES[c.agency as keyof typeof AGENCIES],
      })),
      decisions: choices(STRATEGY_DECISIONS, values.decision),
      referralSources: listItems(
        REFERRAL_SOURCE_LIST,
        values.referralSource,
        'Choose who the referral came from',
      ),
      primaryNeeds: listItems(PRIMARY_NEED_LIST, values.primaryNeed, 'Choose the main need'),
      errors: posted?.errors,
    });
  }

  app.get<ChildParams>('/children/:id/protection/strategy-discussions/new', async (request, reply) =>
    renderStrategy(request, reply),
  );

  app.post<ChildParams>('/children/:id/protection/strategy-discussions', async (request, reply) => {
    const values = readStrategy(form(request));
    try {
      const result = await recordStrategyDiscussion(deps, actorOf(request), {
        personId: request.params.id,
        values,
        requestId: request.id,
      });
      return await reply.redirect(
        `${base(request.params.id)}/strategy-discussions/${result.strategyDiscussionId}?done=strategy`,
        303,
      );
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderStrategy(request, reply, { values, errors: pageErrors(error) });
    }
  });

  app.get<SubParams>('/children/:id/protection/strategy-discussions/:sub', async (request, reply) => {
    const page = await strategyDiscussionPage(deps, actorOf(request), {
      personId: request.params.id,
      strategyDiscussionId: request.params.sub,
      requestId: request.id,
      route: '/children/:id/protection/strategy-discussions/:sub',
    });
    return reply.view('pages/protection/strategy.njk', {
      page,
      base: base(page.child.id),
      done: done(request),
    });
  });

  // Section 47 outcome ----------------------------------------------------------------------------

  async function renderOutcome(
    request: FastifyRequest<SubParams>,
    reply: FastifyReply,
    posted?: { values: OutcomeValues; version: number; errors: PageErrors },
  ) {
    const page = await outcomePage(deps, actorOf(request), {
      personId: request.params.id,
      enquiryId: request.params.sub,
      requestId: request.id,
      route: '/children/:id/protection/section-47/:sub/outcome',
    });
    if (!page.canWrite) throw new ForbiddenError();
    if (page.enquiry.outcome !== null && !posted)
      return reply.redirect(`${base(page.child.id)}#enquiries`, 303);
    const values = posted?.values ?? { completedOn: EMPTY_DATE, outcome: '', findings: '' };
    if (posted) reply.code(400);
    return reply.view('pages/protection/s47-outcome.njk', {
      ...page,
      base: base(page.child.id),
      values,
      outcomes: choices(S47_OUTCOMES, values.outcome),
      version: posted?.version ?? page.enquiry.version,
      errors: posted?.errors,
    });
  }

  app.get<SubParams>('/children/:id/protection/section-47/:sub/outcome', async (request, reply) =>
    renderOutcome(request, reply),
  );

  app.post<SubParams>('/children/:id/protection/section-47/:sub/outcome', async (request, reply) => {
    const values = readOutcome(form(request));
    const version = postedVersion(request);
    try {
      const result = await recordOutcome(deps, actorOf(request), {
        personId: request.params.id,
        enquiryId: request.params.sub,
        version,
        values,
        requestId: request.id,
      });
      const next =
        result.outcome === 'initial_conference'
          ? `${base(request.params.id)}/conferences/new?kind=initial`
          : `${base(request.params.id)}?done=outcome`;
      return await reply.redirect(next, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderOutcome(request, reply, { values, version, errors: pageErrors(error) });
    }
  });

  // Conferences -----------------------------------------------------------------------------------

  function arrangeValuesOf(page: ArrangePage): ArrangeValues {
    const c = page.conference;
    return {
      heldOn: c ? partsFromIso(c.heldOn) : EMPTY_DATE,
      invited: c ? c.participants.map((p) => ({ name: p.name, role: p.role, kind: p.kind })) : [],
      reportSharedOn: partsFromIso(c?.report.sharedOn ?? null),
      reportSharedHow: c?.report.how ?? '',
      reportSharedNote: c?.report.note ?? '',
      advocateOffered: c?.advocateOffered === true ? 'yes' : c?.advocateOffered === false ? 'no' : '',
      advocateTakenUp: c?.advocateTakenUp === true ? 'yes' : c?.advocateTakenUp === false ? 'no' : '',
      advocateNote: c?.advocateNote ?? '',
    };
  }

  async function renderArrange(
    request: FastifyRequest<{ Params: { id: string; sub?: string } }>,
    reply: FastifyReply,
    kind: string,
    posted?: { values: ArrangeValues; version: number; errors: PageErrors },
  ) {
    const page = await arrangePage(deps, actorOf(request), {
      personId: request.params.id,
      kind,
      ...(request.params.sub === undefined ? {} : { conferenceId: request.params.sub }),
      requestId: request.id,
      route: request.routeOptions.url ?? '/children/:id/protection/conferences/new',
    });
    const values = posted?.values ?? arrangeValuesOf(page);
    if (posted) reply.code(400);
    return reply.view('pages/protection/conference-form.njk', {
      ...page,
      base: base(page.child.id),
      action: page.conference
        ? `${base(page.child.id)}/conferences/${page.conference.id}/edit`
        : `${base(page.child.id)}/conferences`,
      values,
      invited: padRows(values.invited, INVITATION_ROWS).map((p, i) => ({
        ...p,
        index: i,
        kinds: kindItems(p.kind),
      })),
      sharedHow: choices(REPORT_SHARED_HOW, values.reportSharedHow),
      version: posted?.version ?? page.conference?.version ?? 0,
      errors: posted?.errors,
    });
  }

  app.get<ChildParams>('/children/:id/protection/conferences/new', async (request, reply) =>
    orOverview(request, reply, () => renderArrange(request, reply, field(request.query, 'kind', 20))),
  );

  app.post<ChildParams>('/children/:id/protection/conferences', async (request, reply) => {
    const values = readArrange(form(request));
    const kind = field(request.body, 'kind', 20);
    try {
      const id = await arrangeConference(deps, actorOf(request), {
        personId: request.params.id,
        kind,
        values,
        requestId: request.id,
      });
      return await reply.redirect(`${base(request.params.id)}/conferences/${id}?done=arranged`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderArrange(request, reply, kind, { values, version: 0, errors: pageErrors(error) });
    }
  });

  app.get<SubParams>('/children/:id/protection/conferences/:sub', async (request, reply) => {
    const page = await conferencePage(deps, actorOf(request), {
      personId: request.params.id,
      conferenceId: request.params.sub,
      requestId: request.id,
      route: '/children/:id/protection/conferences/:sub',
    });
    return reply.view('pages/protection/conference.njk', {
      ...page,
      base: base(page.child.id),
      done: done(request),
      // The family's own views from the portal, carried into the conference papers.
      familyViews: await familyViewsByKey(deps.db, [{ type: 'conference', id: page.conference.id }]),
    });
  });

  app.get<SubParams>('/children/:id/protection/conferences/:sub/edit', async (request, reply) =>
    renderArrange(request, reply, ''),
  );

  app.post<SubParams>('/children/:id/protection/conferences/:sub/edit', async (request, reply) => {
    const values = readArrange(form(request));
    const version = postedVersion(request);
    try {
      await changeArrangements(deps, actorOf(request), {
        personId: request.params.id,
        conferenceId: request.params.sub,
        version,
        values,
        requestId: request.id,
      });
      return await reply.redirect(
        `${base(request.params.id)}/conferences/${request.params.sub}?done=changed`,
        303,
      );
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderArrange(request, reply, '', { values, version, errors: pageErrors(error) });
    }
  });

  async function renderConferenceOutcome(
    request: FastifyRequest<SubParams>,
    reply: FastifyReply,
    posted?: { values: ConferenceOutcomeValues; version: number; errors: PageErrors },
  ) {
    const page = await conferencePage(deps, actorOf(request), {
      personId: request.params.id,
      conferenceId: request.params.sub,
      requestId: request.id,
      route: '/children/:id/protection/conferences/:sub/outcome',
    });
    if (!page.canWrite) throw new ForbiddenError();
    if (!page.editable && !posted)
      return reply.redirect(`${base(page.child.id)}/conferences/${page.conference.id}`, 303);
    const c = page.conference;
    const values: ConferenceOutcomeValues = posted?.values ?? {
      heldOn: partsFromIso(c.heldOn <= page.today ? c.heldOn : null),
      attended: [],
      othersAttending: '',
      familyView: '',
      childView: '',
      decision: '',
      category: c.kind === 'review' ? (page.plan?.latestCategory ?? '') : '',
      decisionReason: '',
      stepTo: '',
      closureReason: '',
    };
    if (posted) reply.code(400);
    return reply.view('pages/protection/conference-outcome.njk', {
      ...page,
      base: base(page.child.id),
      values,
      attendees: c.participants.map((p) => ({
        value: p.id,
        text: `${p.name} (${p.role})`,
        checked: values.attended.includes(p.id),
      })),
      decisions: choices(c.kind === 'review' ? REVIEW_DECISIONS : INITIAL_DECISIONS, values.decision),
      categories: Object.entries(ABUSE_CATEGORIES).map(([value, text]) => ({
        value,
        text: `${text} (${value})`,
        checked: value === values.category,
      })),
      stepTo: choices(STEP_TO, values.stepTo),
      closureReasons: [
        { value: '', text: 'Choose why the help is ending', selected: values.closureReason === '' },
        ...Object.entries(CLOSURE_REASONS).map(([value, text]) => ({
          value,
          text: `${text} (${value})`,
          selected: value === values.closureReason,
        })),
      ],
      version: posted?.version ?? c.version,
      errors: posted?.errors,
    });
  }

  app.get<SubParams>('/children/:id/protection/conferences/:sub/outcome', async (request, reply) =>
    renderConferenceOutcome(request, reply),
  );

  app.post<SubParams>('/children/:id/protection/conferences/:sub/outcome', async (request, reply) => {
    const values = readConferenceOutcome(form(request));
    const version = postedVersion(request);
    try {
      const result = await recordConferenceOutcome(deps, actorOf(request), {
        personId: request.params.id,
        conferenceId: request.params.sub,
        version,
        values,
        requestId: request.id,
      });
      const next = result.planId
        ? `${base(request.params.id)}/plans/${result.planId}?done=held`
        : `${base(request.params.id)}/conferences/${request.params.sub}?done=held`;
      return await reply.redirect(next, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderConferenceOutcome(request, reply, { values, version, errors: pageErrors(error) });
    }
  });

  // Family group conferences / family network meetings ----------------------------------------------

  async function renderFamilyMeeting(
    request: FastifyRequest<{ Params: { id: string; sub?: string } }>,
    reply: FastifyReply,
    link: { conferenceId: string; preProceedingsId: string },
    posted?: { values: FamilyMeetingValues; version: number; errors: PageErrors },
  ) {
    const page = await familyMeetingPage(deps, actorOf(request), {
      personId: request.params.id,
      ...(request.params.sub === undefined ? {} : { meetingId: request.params.sub }),
      ...(link.conferenceId ? { conferenceId: link.conferenceId } : {}),
      ...(link.preProceedingsId ? { preProceedingsId: link.preProceedingsId } : {}),
      requestId: request.id,
      route: request.routeOptions.url ?? '/children/:id/protection/family-meetings/new',
    });
    const m = page.meeting;
    const values: FamilyMeetingValues = posted?.values ?? {
      offeredOn: m ? partsFromIso(m.offeredOn) : partsFromIso(isoToday(deps.clock.now())),
      response: m?.response ?? '',
      declinedReason: m?.declinedReason ?? '',
      heldOn: partsFromIso(m?.heldOn ?? null),
      familyPlan: m?.familyPlan ?? '',
    };
    if (posted) reply.code(400);
    return reply.view('pages/protection/family-meeting.njk', {
      ...page,
      base: base(page.child.id),
      action: m
        ? `${base(page.child.id)}/family-meetings/${m.id}/edit`
        : `${base(page.child.id)}/family-meetings`,
      values,
      responses: [
        {
          value: 'waiting',
          text: 'Waiting for their answer',
          checked: values.response === '' || values.response === 'waiting',
        },
        { value: 'accepted', text: 'They said yes', checked: values.response === 'accepted' },
        { value: 'declined', text: 'They said no', checked: values.response === 'declined' },
      ],
      version: posted?.version ?? m?.version ?? 0,
      errors: posted?.errors,
    });
  }

  app.get<ChildParams>('/children/:id/protection/family-meetings/new', async (request, reply) =>
    orOverview(request, reply, () =>
      renderFamilyMeeting(request, reply, {
        conferenceId: field(request.query, 'conference', 40),
        preProceedingsId: field(request.query, 'pre', 40),
      }),
    ),
  );

  app.post<ChildParams>('/children/:id/protection/family-meetings', async (request, reply) => {
    const values = readFamilyMeeting(form(request));
    const link = {
      conferenceId: field(request.body, 'conferenceId', 40),
      preProceedingsId: field(request.body, 'preProceedingsId', 40),
    };
    try {
      await offerFamilyMeeting(deps, actorOf(request), {
        personId: request.params.id,
        ...(link.conferenceId ? { conferenceId: link.conferenceId } : {}),
        ...(link.preProceedingsId ? { preProceedingsId: link.preProceedingsId } : {}),
        values,
        requestId: request.id,
      });
      return await reply.redirect(`${base(request.params.id)}?done=offered#family-meetings`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderFamilyMeeting(request, reply, link, { values, version: 0, errors: pageErrors(error) });
    }
  });

  app.get<SubParams>('/children/:id/protection/family-meetings/:sub/edit', async (request, reply) =>
    renderFamilyMeeting(request, reply, { conferenceId: '', preProceedingsId: '' }),
  );

  app.post<SubParams>('/children/:id/protection/family-meetings/:sub/edit', async (request, reply) => {
    const values = readFamilyMeeting(form(request));
    const version = postedVersion(request);
    try {
      await updateFamilyMeeting(deps, actorOf(request), {
        personId: request.params.id,
        meetingId: request.params.sub,
        version,
        values,
        requestId: request.id,
      });
      return await reply.redirect(`${base(request.params.id)}?done=meeting#family-meetings`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderFamilyMeeting(
        request,
        reply,
        { conferenceId: '', preProceedingsId: '' },
        { values, version, errors: pageErrors(error) },
      );
    }
  });

  // The child protection plan ------------------------------------------------------------------------

  app.get<SubParams>('/children/:id/protection/plans/:sub', async (request, reply) => {
    const page = await protectionPlanPage(deps, actorOf(request), {
      personId: request.params.id,
      planId: request.params.sub,
      requestId: request.id,
      route: '/children/:id/protection/plans/:sub',
    });
    return reply.view('pages/protection/plan.njk', {
      ...page,
      base: base(page.child.id),
      planBase: `${base(page.child.id)}/plans/${page.plan.id}`,
      done: done(request),
    });
  });

  async function renderAction(
    request: FastifyRequest<SubParams>,
    reply: FastifyReply,
    posted?: { values: GoalValues; errors: PageErrors },
  ) {
    const page = await planFormPage(deps, actorOf(request), {
      personId: request.params.id,
      planId: request.params.sub,
      requestId: request.id,
      route: '/children/:id/protection/plans/:sub/actions/new',
    });
    const values = posted?.values ?? { goal: '', who: '', byWhen: EMPTY_DATE, progress: '' };
    if (posted) reply.code(400);
    return reply.view('pages/protection/action-form.njk', {
      ...page,
      planBase: `${base(page.child.id)}/plans/${page.planId}`,
      values,
      progress: choices(GOAL_PROGRESS, values.progress),
      errors: posted?.errors,
    });
  }

  app.get<SubParams>('/children/:id/protection/plans/:sub/actions/new', async (request, reply) =>
    renderAction(request, reply),
  );

  app.post<SubParams>('/children/:id/protection/plans/:sub/actions', async (request, reply) => {
    const values = readGoal(form(request));
    try {
      await planFormPage(deps, actorOf(request), {
        personId: request.params.id,
        planId: request.params.sub,
        requestId: request.id,
        route: '/children/:id/protection/plans/:sub/actions',
      });
      await addGoal(deps, actorOf(request), {
        personId: request.params.id,
        planId: request.params.sub,
        values,
        requestId: request.id,
      });
      return await reply.redirect(
        `${base(request.params.id)}/plans/${request.params.sub}?done=action#actions`,
        303,
      );
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderAction(request, reply, { values, errors: pageErrors(error) });
    }
  });

  async function renderCoreGroup(
    request: FastifyRequest<SubParams>,
    reply: FastifyReply,
    posted?: { values: CoreGroupValues; errors: PageErrors },
  ) {
    const page = await planFormPage(deps, actorOf(request), {
      personId: request.params.id,
      planId: request.params.sub,
      requestId: request.id,
      route: '/children/:id/protection/plans/:sub/core-groups/new',
    });
    const values: CoreGroupValues = posted?.values ?? {
      heldOn: EMPTY_DATE,
      came: [],
      familyView: '',
      progress: '',
      nextMeetingOn: EMPTY_DATE,
    };
    if (posted) reply.code(400);
    return reply.view('pages/protection/core-group.njk', {
      ...page,
      planBase: `${base(page.child.id)}/plans/${page.planId}`,
      values,
      came: padRows(values.came, CORE_GROUP_ROWS).map((p, i) => ({
        ...p,
        index: i,
        kinds: kindItems(p.kind),
      })),
      errors: posted?.errors,
    });
  }

  app.get<SubParams>('/children/:id/protection/plans/:sub/core-groups/new', async (request, reply) =>
    renderCoreGroup(request, reply),
  );

  app.post<SubParams>('/children/:id/protection/plans/:sub/core-groups', async (request, reply) => {
    const values = readCoreGroup(form(request));
    try {
      await recordCoreGroup(deps, actorOf(request), {
        personId: request.params.id,
        planId: request.params.sub,
        values,
        requestId: request.id,
      });
      return await reply.redirect(
        `${base(request.params.id)}/plans/${request.params.sub}?done=core#core-groups`,
        303,
      );
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderCoreGroup(request, reply, { values, errors: pageErrors(error) });
    }
  });
}
