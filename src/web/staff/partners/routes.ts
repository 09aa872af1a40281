import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GoalValues } from '../../../modules/help/plan-form.ts';
import { GOAL_PROGRESS } from '../../../modules/help/plan-codes.ts';
import { readDateParts, EMPTY_DATE, type FormSource } from '../../../modules/people/person-form.ts';
import {
  CONSENT_GIVERS,
  CONSENT_HOW,
  LAWFUL_BASES,
  MEMBERSHIP_BASES,
  SHARING_DECISIONS,
} from '../../../modules/partners/codes.ts';
import {
  consentForChild,
  consentGiversFor,
  organisationChoices,
  recordConsent,
  withdrawConsent,
  type ConsentValues,
} from '../../../modules/partners/consent.ts';
import { partnerChildPage, partnerChildren } from '../../../modules/partners/partner-view.ts';
import {
  addSection47Contribution,
  section47AgenciesPage,
  type ContributionValues,
} from '../../../modules/partners/section47.ts';
import {
  addProgressUpdate,
  addSharedAction,
  currentPlanOf,
  viewChildForPlanWrite,
  sharedActionFor,
  type UpdateValues,
} from '../../../modules/partners/shared-plan.ts';
import {
  informationSharingPage,
  recordSharingDecision,
  sharingFormChoices,
  type SharingValues,
} from '../../../modules/partners/sharing.ts';
import {
  addMember,
  addMemberChoices,
  endMember,
  makeLead,
  teamAroundFamilyPage,
  type MemberValues,
} from '../../../modules/partners/team-around-family.ts';
import { isPartner, viewChild } from '../../../modules/partners/access.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError, NotFoundError } from '../../../platform/errors.ts';
import { field, fieldList } from '../../forms.ts';
import { actorOf } from '../guard.ts';
import { choices, pageErrors, type PageErrors } from '../people/helpers.ts';

type ChildParams = { Params: { id: string } };
type SubParams = { Params: { id: string; sub: string } };

function form(request: FastifyRequest): FormSource {
  return {
    get: (name: string) => field(request.body, name, 10_000),
    list: (name: string) => fieldList(request.body, name),
  };
}

const DONE: Readonly<Record<string, string>> = {
  member: 'Added to the team around the family',
  ended: 'Membership ended',
  lead: 'Lead practitioner changed',
  action: 'Action added to the shared plan',
  update: 'Progress update added',
  decision: 'Decision recorded',
  consent: 'Consent recorded',
  withdrawn: 'Consent withdrawn: anything relying on it has stopped',
  contribution: 'Your agency’s contribution has been recorded',
};

function done(request: FastifyRequest): string {
  return DONE[field(request.query, 'done', 20)] ?? '';
}

/** Staff: partner organisations and practitioners, teams around the family, information sharing decisions and consent. */
export async function partnerRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  // -------------------------------------------------------------------------------------------
  // Partner practitioners: their children and the allow-listed parts of each
  // -------------------------------------------------------------------------------------------

  app.get('/partner/children', async (request, reply) => {
    const children = await partnerChildren(deps, actorOf(request), {
      requestId: request.id,
      route: '/partner/children',
    });
    return reply.view('pages/partners/children.njk', { children });
  });

  app.get<ChildParams>('/partner/children/:id', async (request, reply) => {
    const page = await partnerChildPage(deps, actorOf(request), {
      childId: request.params.id,
      requestId: request.id,
      route: '/partner/children/:id',
    });
    return reply.view('pages/partners/child.njk', { ...page, done: done(request) });
  });

  // The shared plan: actions and progress updates, for partners and for the authority's staff -------

  function planBack(request: FastifyRequest, childId: string): string {
    return isPartner(actorOf(request))
      ? `/partner/children/${childId}`
      : `/children/${childId}/team-around-the-family`;
  }

  async function renderAction(
    request: FastifyRequest<ChildParams>,
    reply: FastifyReply,
    posted?: { values: GoalValues; errors: PageErrors },
  ) {
    const child = await viewChildForPlanWrite(deps, actorOf(request), {
      childId: request.params.id,
      route: '/shared-plan/:id/actions/new',
      requestId: request.id,
    });
    if (!(await currentPlanOf(deps.db, child.id))) throw new NotFoundError();
    const values = posted?.values ?? { goal: '', who: '', byWhen: EMPTY_DATE, progress: '' };
    if (posted) reply.code(400);
    return reply.view('pages/partners/action-form.njk', {
      child,
      back: planBack(request, child.id),
      action: `/shared-plan/${child.id}/actions`,
      values,
      progress: choices(GOAL_PROGRESS, values.progress),
      errors: posted?.errors,
    });
  }

  app.get<ChildParams>('/shared-plan/:id/actions/new', async (request, reply) =>
    renderAction(request, reply),
  );

  app.post<ChildParams>('/shared-plan/:id/actions', async (request, reply) => {
    const source = form(request);
    const values: GoalValues = {
      goal: source.get('goal'),
      who: source.get('who'),
      byWhen: readDateParts(source, 'byWhen'),
      progress: source.get('progress'),
    };
    try {
      await addSharedAction(deps, actorOf(request), {
        childId: request.params.id,
        values,
        requestId: request.id,
      });
      return await reply.redirect(`${planBack(request, request.params.id)}?done=action#plan`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderAction(request, reply, { values, errors: pageErrors(error) });
    }
  });

  async function renderUpdate(
    request: FastifyRequest<SubParams>,
    reply: FastifyReply,
    posted?: { values: UpdateValues; errors: PageErrors },
  ) {
    const { child, action } = await sharedActionFor(deps, actorOf(request), {
      childId: request.params.id,
      goalId: request.params.sub,
      route: '/shared-plan/:id/actions/:sub/updates/new',
      requestId: request.id,
    });
    const values = posted?.values ?? { note: '', progress: '' };
    if (posted) reply.code(400);
    return reply.view('pages/partners/update-form.njk', {
      child,
      planAction: action,
      back: planBack(request, child.id),
      action: `/shared-plan/${child.id}/actions/${action.id}/updates`,
      values,
      progress: choices(GOAL_PROGRESS, values.progress),
      errors: posted?.errors,
    });
  }

  app.get<SubParams>('/shared-plan/:id/actions/:sub/updates/new', async (request, reply) =>
    renderUpdate(request, reply),
  );

  app.post<SubParams>('/shared-plan/:id/actions/:sub/updates', async (request, reply) => {
    const values = { note: field(request.body, 'note', 5000), progress: field(request.body, 'progress', 20) };
    try {
      await addProgressUpdate(deps, actorOf(request), {
        childId: request.params.id,
        goalId: request.params.sub,
        values,
        requestId: request.id,
      });
      return await reply.redirect(`${planBack(request, request.params.id)}?done=update#plan`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderUpdate(request, reply, { values, errors: pageErrors(error) });
    }
  });

  // -------------------------------------------------------------------------------------------
  // The team around the family (the authority's staff manage it)
  // -------------------------------------------------------------------------------------------

  app.get<ChildParams>('/children/:id/team-around-the-family', async (request, reply) => {
    const page = await teamAroundFamilyPage(deps, actorOf(request), {
      childId: request.params.id,
      requestId: request.id,
      route: '/children/:id/team-around-the-family',
    });
    return reply.view('pages/partners/team.njk', { ...page, done: done(request) });
  });

  async function renderMember(
    request: FastifyRequest<ChildParams>,
    reply: FastifyReply,
    posted?: { values: MemberValues; errors: PageErrors },
  ) {
    const page = await addMemberChoices(deps, actorOf(request), {
      childId: request.params.id,
      requestId: request.id,
    });
    const values: MemberValues = posted?.values ?? {
      userId: '',
      teamRole: '',
      isLead: 'no',
      legalBasis: '',
      consentId: '',
      basisNote: '',
      fromOn: EMPTY_DATE,
    };
    if (posted) reply.code(400);
    return reply.view('pages/partners/member-form.njk', {
      child: page.child,
      values,
      staff: [
        { value: '', text: 'Choose someone', selected: values.userId === '' },
        ...page.staff.map((s) => ({
          value: s.id,
          text: `${s.name} (${s.organisation})`,
          selected: s.id === values.userId,
        })),
      ],
      bases: choices(MEMBERSHIP_BASES, values.legalBasis),
      consents: page.consents.map((c) => ({
        value: c.id,
        text: `${c.purpose} – given by ${c.givenBy} (${c.organisations.join(', ') || c.otherRecipients || ''})`,
        checked: c.id === values.consentId,
      })),
      lead: [
        { value: 'yes', text: 'Yes', checked: values.isLead === 'yes' },
        { value: 'no', text: 'No', checked: values.isLead !== 'yes' },
      ],
      errors: posted?.errors,
    });
  }

  app.get<ChildParams>('/children/:id/team-around-the-family/add', async (request, reply) =>
    renderMember(request, reply),
  );

  app.post<ChildParams>('/children/:id/team-around-the-family', async (request, reply) => {
    const source = form(request);
    const values: MemberValues = {
      userId: source.get('userId'),
      teamRole: source.get('teamRole'),
      isLead: source.get('isLead'),
      legalBasis: source.get('legalBasis'),
      consentId: source.get('consentId'),
      basisNote: source.get('basisNote'),
      fromOn: readDateParts(source, 'fromOn'),
    };
    try {
      await addMember(deps, actorOf(request), { childId: request.params.id, values, requestId: request.id });
      return await reply.redirect(`/children/${request.params.id}/team-around-the-family?done=member`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderMember(request, reply, { values, errors: pageErrors(error) });
    }
  });

  async function renderEnd(
    request: FastifyRequest<SubParams>,
    reply: FastifyReply,
    posted?: { reason: string; errors: PageErrors },
  ) {
    const page = await teamAroundFamilyPage(deps, actorOf(request), {
      childId: request.params.id,
      requestId: request.id,
      route: '/children/:id/team-around-the-family/:sub/end',
    });
    const member = page.members.find((m) => m.id === request.params.sub && m.endedAt === null);
    if (!member || !page.canManage) throw new NotFoundError();
    if (posted) reply.code(400);
    return reply.view('pages/partners/member-end.njk', {
      child: page.child,
      member,
      values: { reason: posted?.reason ?? '' },
      errors: posted?.errors,
    });
  }

  app.get<SubParams>('/children/:id/team-around-the-family/:sub/end', async (request, reply) =>
    renderEnd(request, reply),
  );

  app.post<SubParams>('/children/:id/team-around-the-family/:sub/end', async (request, reply) => {
    const reason = field(request.body, 'reason', 2000);
    try {
      await endMember(deps, actorOf(request), {
        childId: request.params.id,
        memberId: request.params.sub,
        reason,
        requestId: request.id,
      });
      return await reply.redirect(`/children/${request.params.id}/team-around-the-family?done=ended`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderEnd(request, reply, { reason, errors: pageErrors(error) });
    }
  });

  app.post<SubParams>('/children/:id/team-around-the-family/:sub/lead', async (request, reply) => {
    await makeLead(deps, actorOf(request), {
      childId: request.params.id,
      memberId: request.params.sub,
      requestId: request.id,
    });
    return reply.redirect(`/children/${request.params.id}/team-around-the-family?done=lead`, 303);
  });

  // -------------------------------------------------------------------------------------------
  // Information sharing: decisions and consent
  // -------------------------------------------------------------------------------------------

  app.get<ChildParams>('/children/:id/information-sharing', async (request, reply) => {
    const page = await informationSharingPage(deps, actorOf(request), {
      childId: request.params.id,
      requestId: request.id,
      route: '/children/:id/information-sharing',
    });
    return reply.view('pages/partners/information-sharing.njk', { ...page, done: done(request) });
  });

  async function renderDecision(
    request: FastifyRequest<ChildParams>,
    reply: FastifyReply,
    posted?: { values: SharingValues; errors: PageErrors },
  ) {
    const page = await sharingFormChoices(deps, actorOf(request), {
      childId: request.params.id,
      requestId: request.id,
    });
    const values: SharingValues = posted?.values ?? {
      decision: '',
      recipientOrganisationId: '',
      recipientName: '',
      what: '',
      why: '',
      lawfulBasis: '',
      basisDetail: '',
      consentId: '',
      reasonNotShared: '',
      decidedOn: EMPTY_DATE,
    };
    if (posted) reply.code(400);
    return reply.view('pages/partners/decision-form.njk', {
      child: page.child,
      values,
      decisions: choices(SHARING_DECISIONS, values.decision),
      bases: choices(LAWFUL_BASES, values.lawfulBasis),
      organisations: [
        {
          value: '',
          text: 'Not an organisation in the list',
          selected: values.recipientOrganisationId === '',
        },
        ...page.organisations.map((o) => ({
          value: o.id,
          text: o.name,
          selected: o.id === values.recipientOrganisationId,
        })),
      ],
      consents: page.consents.map((c) => ({
        value: c.id,
        text: `${c.purpose} – given by ${c.givenBy}`,
        hint: {
          text: `Covers: ${[...c.organisations, c.otherRecipients ?? ''].filter((x) => x).join(', ')}`,
        },
        checked: c.id === values.consentId,
      })),
      errors: posted?.errors,
    });
  }

  app.get<ChildParams>('/children/:id/information-sharing/decisions/new', async (request, reply) =>
    renderDecision(request, reply),
  );

  app.post<ChildParams>('/children/:id/information-sharing/decisions', async (request, reply) => {
    const source = form(request);
    const values: SharingValues = {
      decision: source.get('decision'),
      recipientOrganisationId: source.get('recipientOrganisationId'),
      recipientName: source.get('recipientName'),
      what: source.get('what'),
      why: source.get('why'),
      lawfulBasis: source.get('lawfulBasis'),
      basisDetail: source.get('basisDetail'),
      consentId: source.get('consentId'),
      reasonNotShared: source.get('reasonNotShared'),
      decidedOn: readDateParts(source, 'decidedOn'),
    };
    try {
      await recordSharingDecision(deps, actorOf(request), {
        childId: request.params.id,
        values,
        requestId: request.id,
      });
      return await reply.redirect(`/children/${request.params.id}/information-sharing?done=decision`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderDecision(request, reply, { values, errors: pageErrors(error) });
    }
  });

  async function renderConsent(
    request: FastifyRequest<ChildParams>,
    reply: FastifyReply,
    posted?: { values: ConsentValues; errors: PageErrors },
  ) {
    const child = await viewChild(deps.db, actorOf(request), deps.clock, {
      childId: request.params.id,
      resource: 'information_sharing',
      action: 'write',
      route: '/children/:id/information-sharing/consents/new',
      purpose: 'information_sharing',
      requestId: request.id,
    });
    const [givers, organisations] = await Promise.all([
      consentGiversFor(deps.db, child),
      organisationChoices(deps.db),
    ]);
    const values: ConsentValues = posted?.values ?? {
      givenByPersonId: '',
      givenByRole: '',
      purpose: '',
      organisationIds: [],
      otherRecipients: '',
      validFrom: EMPTY_DATE,
      validUntil: EMPTY_DATE,
      howGiven: '',
    };
    if (posted) reply.code(400);
    return reply.view('pages/partners/consent-form.njk', {
      child,
      values,
      givers: givers.map((g) => ({ value: g.id, text: g.name, checked: g.id === values.givenByPersonId })),
      roles: choices(CONSENT_GIVERS, values.givenByRole),
      how: choices(CONSENT_HOW, values.howGiven),
      organisations: organisations
        .filter((o) => o.id !== child.organisation_id)
        .map((o) => ({ value: o.id, text: o.name, checked: values.organisationIds.includes(o.id) })),
      errors: posted?.errors,
    });
  }

  app.get<ChildParams>('/children/:id/information-sharing/consents/new', async (request, reply) =>
    renderConsent(request, reply),
  );

  app.post<ChildParams>('/children/:id/information-sharing/consents', async (request, reply) => {
    const source = form(request);
    const values: ConsentValues = {
      givenByPersonId: source.get('givenByPersonId'),
      givenByRole: source.get('givenByRole'),
      purpose: source.get('purpose'),
      organisationIds: source.list('organisationIds'),
      otherRecipients: source.get('otherRecipients'),
      validFrom: readDateParts(source, 'validFrom'),
      validUntil: readDateParts(source, 'validUntil'),
      howGiven: source.get('howGiven'),
    };
    try {
      await recordConsent(deps, actorOf(request), {
        childId: request.params.id,
        values,
        requestId: request.id,
      });
      return await reply.redirect(`/children/${request.params.id}/information-sharing?done=consent`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderConsent(request, reply, { values, errors: pageErrors(error) });
    }
  });

  async function renderWithdraw(
    request: FastifyRequest<SubParams>,
    reply: FastifyReply,
    posted?: { values: { withdrawnOn: ConsentValues['validFrom']; note: string }; errors: PageErrors },
  ) {
    const consent = await consentForChild(deps, actorOf(request), {
      childId: request.params.id,
      consentId: request.params.sub,
      requestId: request.id,
    });
    if (posted) reply.code(400);
    return reply.view('pages/partners/consent-withdraw.njk', {
      childId: request.params.id,
      consent,
      values: posted?.values ?? { withdrawnOn: EMPTY_DATE, note: '' },
      errors: posted?.errors,
    });
  }

  app.get<SubParams>('/children/:id/information-sharing/consents/:sub/withdraw', async (request, reply) =>
    renderWithdraw(request, reply),
  );

  app.post<SubParams>('/children/:id/information-sharing/consents/:sub/withdraw', async (request, reply) => {
    const source = form(request);
    const values = { withdrawnOn: readDateParts(source, 'withdrawnOn'), note: source.get('note') };
    try {
      await withdrawConsent(deps, actorOf(request), {
        childId: request.params.id,
        consentId: request.params.sub,
        ...values,
        requestId: request.id,
      });
      return await reply.redirect(`/children/${request.params.id}/information-sharing?done=withdrawn`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderWithdraw(request, reply, { values, errors: pageErrors(error) });
    }
  });

  // -------------------------------------------------------------------------------------------
  // Section 47 enquiries, per agency
  // -------------------------------------------------------------------------------------------

  async function renderAgencies(
    request: FastifyRequest<SubParams>,
    reply: FastifyReply,
    posted?: { values: ContributionValues; errors: PageErrors },
  ) {
    const page = await section47AgenciesPage(deps, actorOf(request), {
      childId: request.params.id,
      section47Id: request.params.sub,
      requestId: request.id,
      route: '/children/:id/section-47/:sub/agencies',
    });
    if (posted) reply.code(400);
    return reply.view('pages/partners/section47.njk', {
      ...page,
      back: isPartner(actorOf(request))
        ? `/partner/children/${page.child.id}`
        : `/children/${page.child.id}/protection`,
      values: posted?.values ?? { contributedOn: EMPTY_DATE, enquiriesMade: '', findings: '' },
      errors: posted?.errors,
      done: done(request),
    });
  }

  app.get<SubParams>('/children/:id/section-47/:sub/agencies', async (request, reply) =>
    renderAgencies(request, reply),
  );

  app.post<SubParams>('/children/:id/section-47/:sub/agencies', async (request, reply) => {
    const source = form(request);
    const values: ContributionValues = {
      contributedOn: readDateParts(source, 'contributedOn'),
      enquiriesMade: source.get('enquiriesMade'),
      findings: source.get('findings'),
    };
    try {
      await addSection47Contribution(deps, actorOf(request), {
        childId: request.params.id,
        section47Id: request.params.sub,
        values,
        requestId: request.id,
      });
      return await reply.redirect(
        `/children/${request.params.id}/section-47/${request.params.sub}/agencies?done=contribution`,
        303,
      );
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderAgencies(request, reply, { values, errors: pageErrors(error) });
    }
  });
}
