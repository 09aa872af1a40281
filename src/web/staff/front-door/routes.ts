import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  decideRequest,
  frontDoorDashboard,
  getDecisionForm,
  getRequest,
  saveRequest,
  startRequest,
  type RequestChild,
  type RequestDuplicate,
} from '../../../modules/help/front-door.ts';
import {
  DECISIONS,
  EMPTY_DECISION_FORM,
  EMPTY_REQUEST_FORM,
  PRIMARY_NEEDS,
  REFERRAL_SOURCES,
  REQUESTER_KINDS,
  readDecisionForm,
  readRequestForm,
  type DecisionFormValues,
  type RequestFormValues,
} from '../../../modules/help/front-door-form.ts';
import type { FormSource } from '../../../modules/people/person-form.ts';
import { canCreatePeople } from '../../../modules/people/person-write.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError } from '../../../platform/errors.ts';
import { field, fieldList } from '../../forms.ts';
import { actorOf } from '../guard.ts';
import { choices, pageErrors, postedVersion, type PageErrors } from '../people/helpers.ts';

type IdParams = { Params: { id: string } };

/** The posted form, field by field; long answers (the worry, the reason) are kept whole up to 10,000 characters. */
function longFormSource(request: FastifyRequest): FormSource {
  return { get: (name) => field(request.body, name, 10_000), list: (name) => fieldList(request.body, name) };
}

/** Radio or select items from an ordered code list, labelled "2A: Schools". */
function codeItems(
  list: readonly (readonly [string, string])[],
  selected: string,
  kind: 'checked' | 'selected',
) {
  return list.map(([value, text]) => ({ value, text: `${value}: ${text}`, [kind]: value === selected }));
}

function yesNoItems(selected: string) {
  return [
    { value: 'yes', text: 'Yes', checked: selected === 'yes' },
    { value: 'no', text: 'No', checked: selected === 'no' },
  ];
}

function requestFormLists(values: RequestFormValues) {
  return {
    requesterKinds: choices(REQUESTER_KINDS, values.requesterKind),
    referralSources: [
      { value: '', text: 'Work it out from who is asking', selected: values.referralSource === '' },
      ...codeItems(REFERRAL_SOURCES, values.referralSource, 'selected'),
    ],
    primaryNeeds: codeItems(PRIMARY_NEEDS, values.primaryNeed, 'checked'),
    familyKnowsItems: yesNoItems(values.familyKnows),
    familyConsentsItems: yesNoItems(values.familyConsents),
  };
}

/** The hidden fields that carry the request form through "is this one of these children?". */
function hiddenFields(values: RequestFormValues): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const [key, value] of Object.entries(values) as [string, unknown][]) {
    if (typeof value === 'string') out.push({ name: key, value });
    else if (value && typeof value === 'object') {
      for (const part of ['day', 'month', 'year'] as const)
        out.push({ name: `${key}-${part}`, value: String(Reflect.get(value, part) ?? '') });
    }
  }
  return out;
}

function intentOf(request: FastifyRequest): 'draft' | 'send' {
  return field(request.body, 'intent', 10) === 'draft' ? 'draft' : 'send';
}

const DONE_MESSAGES: Record<string, string> = {
  draft: 'Your draft has been saved. You can come back to it from the front door page.',
  sent: 'The request has been sent to the front door.',
  decided: 'The decision has been recorded.',
};

/** The front door: requests for help and the decisions on them. */
export async function frontDoorRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  app.get('/front-door', async (request, reply) => {
    const dashboard = await frontDoorDashboard(deps, actorOf(request));
    const most = Math.max(1, ...dashboard.waitingByDays.map((b) => b.count));
    return reply.view('pages/front-door/dashboard.njk', {
      dashboard,
      chart: dashboard.waitingByDays.map((b, i) => ({
        ...b,
        x: 10 + i * 90,
        height: Math.round((b.count / most) * 120),
        y: 140 - Math.round((b.count / most) * 120),
      })),
    });
  });

  // A new request ----------------------------------------------------------------------------

  function renderForm(
    reply: FastifyReply,
    page: {
      values: RequestFormValues;
      child: RequestChild | null;
      canAddChild: boolean;
      action: string;
      /** The draft being continued: its version (for the concurrency check) and when it was saved. */
      draft?: { version: number; updatedAt?: Date };
      errors?: PageErrors;
      done?: string | undefined;
    },
  ) {
    if (page.errors) reply.code(400);
    return reply.view('pages/front-door/request-form.njk', {
      ...page,
      ...requestFormLists(page.values),
    });
  }

  app.get('/front-door/requests/new', async (request, reply) => {
    const childId = field(request.query, 'child', 50);
    const { child, canAddChild } = await startRequest(deps, actorOf(request), {
      childId: childId === '' ? null : childId,
      requestId: request.id,
      route: '/front-door/requests/new',
    });
    return renderForm(reply, {
      values: { ...EMPTY_REQUEST_FORM, childId: child?.id ?? '' },
      child,
      canAddChild,
      action: '/front-door/requests/new',
    });
  });

  async function save(request: FastifyRequest, reply: FastifyReply, id: string | null) {
    const actor = actorOf(request);
    const values = readRequestForm(longFormSource(request));
    const intent = intentOf(request);
    const duplicateChoice = field(request.body, 'duplicateChoice', 50);
    const action = id === null ? '/front-door/requests/new' : `/front-door/requests/${id}`;
    const version = id === null ? null : postedVersion(request);
    try {
      const result = await saveRequest(deps, actor, {
        id,
        version,
        values,
        intent,
        duplicateChoice,
        requestId: request.id,
      });
      if (result.outcome === 'duplicates') {
        const unanswered = field(request.body, 'duplicatesShown', 5) === 'yes';
        return await renderDuplicates(reply, {
          values,
          intent,
          action,
          version,
          candidates: result.candidates,
          canAddChild: result.canAddChild,
          ...(unanswered
            ? {
                errors: pageErrors(
                  new InvalidInputError([
                    { field: 'duplicateChoice', message: 'Select one of these children, or ‘None of these’' },
                  ]),
                ),
              }
            : {}),
        });
      }
      const done = result.status === 'draft' ? 'draft' : 'sent';
      return await reply.redirect(`/front-door/requests/${result.id}?done=${done}`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      const { child, canAddChild } = await startRequest(deps, actor, {
        childId: values.childId === '' ? null : values.childId,
        requestId: request.id,
        route: action,
      });
      return renderForm(reply, {
        values,
        child,
        canAddChild,
        action,
        errors: pageErrors(error),
        ...(id === null ? {} : { draft: { version: version ?? -1 } }),
      });
    }
  }

  function renderDuplicates(
    reply: FastifyReply,
    page: {
      values: RequestFormValues;
      intent: 'draft' | 'send';
      action: string;
      version: number | null;
      candidates: readonly RequestDuplicate[];
      canAddChild: boolean;
      errors?: PageErrors;
    },
  ) {
    if (page.errors) reply.code(400);
    return reply.view('pages/front-door/duplicates.njk', {
      ...page,
      versionField: page.version === null ? '' : String(page.version),
      hidden: hiddenFields(page.values),
    });
  }

  app.post('/front-door/requests/new', async (request, reply) => save(request, reply, null));

  // A request: a draft to continue, or a sent request to read -----------------------------------

  app.get<IdParams>('/front-door/requests/:id', async (request, reply) => {
    const actor = actorOf(request);
    const page = await getRequest(deps, actor, request.params.id, {
      requestId: request.id,
      route: '/front-door/requests/:id',
    });
    const done = DONE_MESSAGES[field(request.query, 'done', 10)];
    if (page.request.status === 'draft') {
      return renderForm(reply, {
        values: page.values,
        child: page.request.child,
        canAddChild: canCreatePeople(actor),
        action: `/front-door/requests/${page.request.id}`,
        draft: { version: page.request.version, updatedAt: page.request.updatedAt },
        done,
      });
    }
    return reply.view('pages/front-door/request.njk', { ...page, done });
  });

  app.post<IdParams>('/front-door/requests/:id', async (request, reply) =>
    save(request, reply, request.params.id),
  );

  // The decision --------------------------------------------------------------------------------

  async function renderDecision(
    request: FastifyRequest<IdParams>,
    reply: FastifyReply,
    values: DecisionFormValues,
    form: { version?: number; errors?: PageErrors } = {},
  ) {
    const { request: helpRequest, choices: lists } = await getDecisionForm(
      deps,
      actorOf(request),
      request.params.id,
      { requestId: request.id, route: '/front-door/requests/:id/decision' },
    );
    if (helpRequest.status !== 'awaiting_decision') {
      return reply.redirect(`/front-door/requests/${helpRequest.id}`, 303);
    }
    if (form.errors) reply.code(400);
    return reply.view('pages/front-door/decision.njk', {
      helpRequest,
      values,
      version: form.version ?? helpRequest.version,
      errors: form.errors,
      decisions: choices(DECISIONS, values.decision),
      teams: [
        { value: '', text: 'Choose a team', selected: values.teamId === '' },
        ...lists.teams.map((t) => ({ value: t.id, text: t.name, selected: t.id === values.teamId })),
      ],
      thresholds: lists.thresholds.map((t) => ({
        value: t.id,
        text: t.label,
        checked: t.id === values.thresholdId,
      })),
    });
  }

  app.get<IdParams>('/front-door/requests/:id/decision', async (request, reply) =>
    renderDecision(request, reply, EMPTY_DECISION_FORM),
  );

  app.post<IdParams>('/front-door/requests/:id/decision', async (request, reply) => {
    const values = readDecisionForm(longFormSource(request));
    const version = postedVersion(request);
    try {
      await decideRequest(deps, actorOf(request), request.params.id, {
        values,
        version,
        requestId: request.id,
      });
      return await reply.redirect(`/front-door/requests/${request.params.id}?done=decided`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderDecision(request, reply, values, { version, errors: pageErrors(error) });
    }
  });
}
