import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  createReferral,
  newReferralPage,
  openReferrals,
  recordOutcome,
  referralPage,
  type OutcomeValues,
  type ReferralValues,
} from '../../../modules/directory/referrals.ts';
import { DISTANCES_KM, searchDirectory, type SearchValues } from '../../../modules/directory/search.ts';
import { EMPTY_DATE, isoToday, partsFromIso, readDateParts } from '../../../modules/people/person-form.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError } from '../../../platform/errors.ts';
import { field, fieldList, formErrors } from '../../forms.ts';
import { actorOf } from '../guard.ts';
import { pageErrors, postedVersion, type PageErrors } from '../people/helpers.ts';

/** Staff: the local services directory, referrals to services and their outcomes. */

type ChildParams = { Params: { id: string } };
type ReferralParams = { Params: { id: string; rid: string } };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function source(body: unknown) {
  return { get: (name: string) => field(body, name, 2000), list: (name: string) => fieldList(body, name) };
}

function id(value: string): string {
  return UUID.test(value) ? value : '';
}

/** Where a search was started from (a child's plan goal), so a result can be referred straight away. */
function contextOf(body: unknown) {
  return {
    child: id(field(body, 'child', 40)),
    plan: id(field(body, 'plan', 40)),
    goal: id(field(body, 'goal', 40)),
  };
}

function searchValues(body: unknown): SearchValues {
  return {
    text: field(body, 'text', 200),
    category: field(body, 'category', 40),
    age: field(body, 'age', 10),
    postcode: field(body, 'postcode', 20),
    distance: field(body, 'distance', 10),
    day: field(body, 'day', 10),
    time: field(body, 'time', 10),
    language: field(body, 'language', 10),
    page: field(body, 'page', 6),
  };
}

const EMPTY_SEARCH: SearchValues = {
  text: '',
  category: '',
  age: '',
  postcode: '',
  distance: '',
  day: '',
  time: '',
  language: '',
  page: '',
};

function selectItems(list: readonly { value: string; text: string }[], selected: string, prompt: string) {
  return [
    { value: '', text: prompt, selected: selected === '' },
    ...list.map((item) => ({ ...item, selected: item.value === selected })),
  ];
}

function readReferral(body: unknown): ReferralValues {
  return {
    serviceId: field(body, 'serviceId', 40),
    planId: field(body, 'planId', 40),
    goalId: field(body, 'goalId', 40),
    reason: field(body, 'reason', 5000),
    consent: field(body, 'consent', 10),
    consentGivenBy: field(body, 'consentGivenBy', 500),
    consentGivenOn: readDateParts(source(body), 'consentGivenOn'),
  };
}

function readOutcome(body: unknown): OutcomeValues {
  return {
    outcome: field(body, 'outcome', 20),
    note: field(body, 'note', 5000),
    occurredOn: readDateParts(source(body), 'occurredOn'),
  };
}

export async function directoryRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  async function renderSearch(
    request: FastifyRequest,
    reply: FastifyReply,
    values: SearchValues,
    context: ReturnType<typeof contextOf>,
    run: boolean,
  ) {
    const actor = actorOf(request);
    const outcome = await searchDirectory(deps, actor, run ? values : EMPTY_SEARCH);
    const errors = outcome.errors.length > 0 ? formErrors(outcome.errors) : undefined;
    if (errors) reply.code(400);
    return reply.view('pages/directory/search.njk', {
      values,
      context,
      outcome: run && !errors ? outcome : undefined,
      errors,
      categories: selectItems(
        outcome.categories.map((c) => ({ value: c.id, text: c.name })),
        values.category,
        'Any category',
      ),
      days: selectItems(
        Object.entries(outcome.days).map(([value, text]) => ({ value, text })),
        values.day,
        'Any day',
      ),
      languages: selectItems(
        Object.entries(outcome.languages).map(([value, text]) => ({ value, text })),
        values.language,
        'Any language',
      ),
      distances: selectItems(
        DISTANCES_KM.map((km) => ({ value: km, text: `Within ${km} km` })),
        values.distance,
        'Any distance',
      ),
    });
  }

  // The family's postcode and the child's age are searched by POST, so they never appear in a URL.
  app.get('/directory', async (request, reply) =>
    renderSearch(request, reply, EMPTY_SEARCH, contextOf(request.query), false),
  );
  app.post('/directory', async (request, reply) =>
    renderSearch(request, reply, searchValues(request.body), contextOf(request.body), true),
  );

  async function renderNewReferral(
    request: FastifyRequest<ChildParams>,
    reply: FastifyReply,
    values: ReferralValues,
    errors?: PageErrors,
  ) {
    const page = await newReferralPage(deps, actorOf(request), {
      personId: request.params.id,
      requestId: request.id,
      route: '/children/:id/referrals/new',
    });
    if (errors) reply.code(400);
    const plan = page.plans.find((p) => p.id === values.planId);
    return reply.view('pages/directory/referral-new.njk', {
      child: page.child,
      values,
      plan,
      errors,
      services: selectItems(
        page.services.map((s) => ({ value: s.id, text: `${s.name} (${s.organization})` })),
        values.serviceId,
        'Select a service',
      ),
      plans: [
        { value: '', text: 'Not part of a plan', checked: values.planId === '' },
        ...page.plans.map((p) => ({ value: p.id, text: p.kindLabel, checked: p.id === values.planId })),
      ],
      goals: plan
        ? [
            { value: '', text: 'Not for one goal', checked: values.goalId === '' },
            ...plan.goals.map((g) => ({ value: g.id, text: g.goal, checked: g.id === values.goalId })),
          ]
        : [],
    });
  }

  app.get<ChildParams>('/children/:id/referrals/new', async (request, reply) =>
    renderNewReferral(request, reply, {
      serviceId: id(field(request.query, 'service', 40)),
      planId: id(field(request.query, 'plan', 40)),
      goalId: id(field(request.query, 'goal', 40)),
      reason: '',
      consent: '',
      consentGivenBy: '',
      consentGivenOn: partsFromIso(isoToday(deps.clock.now())),
    }),
  );

  app.post<ChildParams>('/children/:id/referrals', async (request, reply) => {
    const values = readReferral(request.body);
    try {
      const referralId = await createReferral(deps, actorOf(request), {
        personId: request.params.id,
        values,
        requestId: request.id,
      });
      return await reply.redirect(
        `/children/${request.params.id}/referrals/${referralId}?done=referred`,
        303,
      );
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderNewReferral(request, reply, values, pageErrors(error));
    }
  });

  async function renderReferral(
    request: FastifyRequest<ReferralParams>,
    reply: FastifyReply,
    posted?: { values: OutcomeValues; errors: PageErrors },
  ) {
    const referral = await referralPage(deps, actorOf(request), {
      personId: request.params.id,
      referralId: request.params.rid,
      requestId: request.id,
      route: '/children/:id/referrals/:rid',
    });
    if (posted) reply.code(400);
    const values = posted?.values ?? { outcome: '', note: '', occurredOn: EMPTY_DATE };
    const done = field(request.query, 'done', 20);
    return reply.view('pages/directory/referral.njk', {
      referral,
      values,
      errors: posted?.errors,
      done:
        done === 'referred'
          ? 'The family has been referred to the service.'
          : done === 'outcome'
            ? 'What happened has been recorded.'
            : undefined,
      outcomes: referral.nextOutcomes.map((o) => ({ ...o, checked: o.value === values.outcome })),
    });
  }

  app.get<ReferralParams>('/children/:id/referrals/:rid', async (request, reply) =>
    renderReferral(request, reply),
  );

  app.post<ReferralParams>('/children/:id/referrals/:rid/outcomes', async (request, reply) => {
    const values = readOutcome(request.body);
    try {
      await recordOutcome(deps, actorOf(request), {
        personId: request.params.id,
        referralId: request.params.rid,
        version: postedVersion(request),
        values,
        requestId: request.id,
      });
      return await reply.redirect(
        `/children/${request.params.id}/referrals/${request.params.rid}?done=outcome`,
        303,
      );
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderReferral(request, reply, { values, errors: pageErrors(error) });
    }
  });

  app.get('/referrals', async (request, reply) => {
    const rows = await openReferrals(deps, actorOf(request));
    return reply.view('pages/directory/open-referrals.njk', { rows });
  });
}
