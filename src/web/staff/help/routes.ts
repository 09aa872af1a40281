import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  CHANGE_REASONS,
  PRACTITIONER_ROLES,
  allocateChild,
  allocationPage,
  teamMembers,
  teamOfCouncil,
  type AllocationFormValues,
} from '../../../modules/help/allocation.service.ts';
import {
  PRIMARY_NEEDS,
  REFERRAL_SOURCE_LIST,
  changeStatus,
  closeEpisode,
  closeForm,
  helpSummary,
  stepForm,
  type CloseFormValues,
  type StepFormValues,
} from '../../../modules/help/episode.service.ts';
import { completeTask, myWorkTray, teamWorkTray } from '../../../modules/help/work-tray.ts';
import { EMPTY_DATE, readDateParts } from '../../../modules/people/person-form.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError } from '../../../platform/errors.ts';
import { field } from '../../forms.ts';
import { actorOf } from '../guard.ts';
import { choices, formSource, pageErrors, type PageErrors } from '../people/helpers.ts';

type IdParams = { Params: { id: string } };

/** Items for a GOV.UK select with a "Choose" first option. */
function selectItems(list: readonly (readonly [string, string])[], selected: string) {
  return [
    { value: '', text: 'Choose', selected: selected === '' },
    ...list.map(([value, text]) => ({
      value,
      text: `${text} (${value})`,
      selected: value === selected,
    })),
  ];
}

function readStepForm(request: FastifyRequest): StepFormValues {
  const source = formSource(request);
  return {
    episodeId: source.get('episodeId'),
    version: source.get('version'),
    to: source.get('to'),
    changedOn: readDateParts(source, 'changedOn'),
    reason: field(request.body, 'reason', 4000),
    referralSource: source.get('referralSource'),
    primaryNeed: source.get('primaryNeed'),
  };
}

function readCloseForm(request: FastifyRequest): CloseFormValues {
  const source = formSource(request);
  return {
    episodeId: source.get('episodeId'),
    version: source.get('version'),
    closureReason: source.get('closureReason'),
    note: field(request.body, 'note', 4000),
    closedOn: readDateParts(source, 'closedOn'),
  };
}

function readAllocationForm(request: FastifyRequest): AllocationFormValues {
  const source = formSource(request);
  return {
    currentAllocationId: source.get('currentAllocationId'),
    teamId: source.get('teamId'),
    workerId: source.get('workerId'),
    role: source.get('role'),
    changeReason: source.get('changeReason'),
    changeNote: field(request.body, 'changeNote', 4000),
  };
}

/**
 * The child's episode of help (summary, step up or down, closure), allocation with its warning and
 * confirmation, and the work trays.
 */
export async function helpRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  // The episode page ---------------------------------------------------------------------------
  app.get<IdParams>('/children/:id/help', async (request, reply) => {
    const summary = await helpSummary(deps, actorOf(request), {
      personId: request.params.id,
      requestId: request.id,
      route: '/children/:id/help',
    });
    return reply.view('pages/help/episode.njk', { help: summary, child: summary.child });
  });

  // Step up or step down -------------------------------------------------------------------------
  async function renderStep(
    request: FastifyRequest<IdParams>,
    reply: FastifyReply,
    values?: StepFormValues,
    errors?: PageErrors,
  ) {
    const form = await stepForm(deps, actorOf(request), {
      personId: request.params.id,
      requestId: request.id,
      audit: !errors,
    });
    if (!form.episode) return reply.view('pages/help/no-open-help.njk', { child: form.child });
    const shown: StepFormValues = values ?? {
      episodeId: form.episode.id,
      version: String(form.episode.version),
      to: '',
      changedOn: EMPTY_DATE,
      reason: '',
      referralSource: '',
      primaryNeed: '',
    };
    if (errors) reply.code(400);
    return reply.view('pages/help/step.njk', {
      child: form.child,
      form,
      values: shown,
      moves: form.moves.map((m) => ({ value: m.value, text: m.text, checked: m.value === shown.to })),
      referralSources: selectItems(REFERRAL_SOURCE_LIST, shown.referralSource),
      primaryNeeds: selectItems(Object.entries(PRIMARY_NEEDS), shown.primaryNeed),
      errors,
    });
  }

  app.get<IdParams>('/children/:id/help/step', async (request, reply) => renderStep(request, reply));

  app.post<IdParams>('/children/:id/help/step', async (request, reply) => {
    const values = readStepForm(request);
    try {
      await changeStatus(deps, actorOf(request), {
        personId: request.params.id,
        values,
        requestId: request.id,
      });
      return await reply.redirect(`/children/${request.params.id}/help`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderStep(request, reply, values, pageErrors(error));
    }
  });

  // Closing ----------------------------------------------------------------------------------------
  async function renderClose(
    request: FastifyRequest<IdParams>,
    reply: FastifyReply,
    values?: CloseFormValues,
    errors?: PageErrors,
  ) {
    const form = await closeForm(deps, actorOf(request), {
      personId: request.params.id,
      requestId: request.id,
      audit: !errors,
    });
    if (!form.episode) return reply.view('pages/help/no-open-help.njk', { child: form.child });
    const shown: CloseFormValues = values ?? {
      episodeId: form.episode.id,
      version: String(form.episode.version),
      closureReason: '',
      note: '',
      closedOn: EMPTY_DATE,
    };
    if (errors) reply.code(400);
    return reply.view('pages/help/close.njk', {
      child: form.child,
      form,
      values: shown,
      reasons: form.reasons.map((r) => ({ ...r, checked: r.value === shown.closureReason })),
      errors,
    });
  }

  app.get<IdParams>('/children/:id/help/close', async (request, reply) => renderClose(request, reply));

  app.post<IdParams>('/children/:id/help/close', async (request, reply) => {
    const values = readCloseForm(request);
    try {
      await closeEpisode(deps, actorOf(request), {
        personId: request.params.id,
        values,
        requestId: request.id,
      });
      return await reply.redirect(`/children/${request.params.id}/help`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderClose(request, reply, values, pageErrors(error));
    }
  });

  // Allocation -------------------------------------------------------------------------------------
  async function renderChooseTeam(
    request: FastifyRequest<IdParams>,
    reply: FastifyReply,
    options: { teamId?: string; errors?: PageErrors } = {},
  ) {
    const page = await allocationPage(deps, actorOf(request), {
      personId: request.params.id,
      requestId: request.id,
      audit: !options.errors,
    });
    const chosen = options.teamId ?? page.current?.teamId ?? '';
    if (options.errors) reply.code(400);
    return reply.view('pages/help/allocation.njk', {
      child: page.child,
      page,
      teams: page.teams.map((t) => ({
        value: t.id,
        text: t.name,
        hint: t.locality ? { text: `${t.locality} locality` } : undefined,
        checked: t.id === chosen,
      })),
      errors: options.errors,
    });
  }

  async function renderDetails(
    request: FastifyRequest<IdParams>,
    reply: FastifyReply,
    values: AllocationFormValues,
    errors?: PageErrors,
  ) {
    const actor = actorOf(request);
    const page = await allocationPage(deps, actor, { personId: request.params.id, audit: false });
    const team = await teamOfCouncil(deps, actor, values.teamId);
    if (!team) {
      return renderChooseTeam(request, reply, {
        errors: pageErrors(new InvalidInputError([{ field: 'teamId', message: 'Choose a team' }])),
      });
    }
    const members = await teamMembers(deps, actor, team.id);
    if (errors) reply.code(400);
    return reply.view('pages/help/allocation-details.njk', {
      child: page.child,
      page,
      team,
      values,
      replacing: page.current?.workerId != null,
      workers: [
        ...members.map((m) => ({ value: m.id, text: m.name, checked: m.id === values.workerId })),
        { divider: 'or' },
        {
          value: 'none',
          text: 'No one yet',
          hint: { text: `A manager in ${team.name} will choose the lead practitioner` },
          checked: values.workerId === 'none',
        },
      ],
      roles: choices(PRACTITIONER_ROLES, values.role),
      reasons: choices(CHANGE_REASONS, values.changeReason),
      errors,
    });
  }

  app.get<IdParams>('/children/:id/allocation', async (request, reply) => renderChooseTeam(request, reply));

  app.post<IdParams>('/children/:id/allocation', async (request, reply) => {
    const step = field(request.body, 'step', 20);
    const values = readAllocationForm(request);
    if (step === 'team') {
      // The child first (not found outside scope), then the team.
      const page = await allocationPage(deps, actorOf(request), {
        personId: request.params.id,
        audit: false,
      });
      const team = await teamOfCouncil(deps, actorOf(request), values.teamId);
      if (!team) {
        return renderChooseTeam(request, reply, {
          errors: pageErrors(new InvalidInputError([{ field: 'teamId', message: 'Choose a team' }])),
        });
      }
      // The current worker and role are the usual answer when they stay on with a new team.
      return renderDetails(request, reply, {
        ...values,
        workerId: page.current?.teamId === team.id ? (page.current.workerId ?? '') : '',
        role: page.current?.teamId === team.id ? (page.current.role ?? '') : '',
      });
    }
    try {
      const result = await allocateChild(deps, actorOf(request), {
        personId: request.params.id,
        values,
        confirmed: step === 'confirm',
        requestId: request.id,
      });
      if (result.outcome === 'confirm') {
        return await reply.view('pages/help/allocation-confirm.njk', {
          child: { id: request.params.id },
          result,
          values,
          changeReasonLabel: CHANGE_REASONS[values.changeReason] ?? '',
          roleLabel: PRACTITIONER_ROLES[values.role] ?? '',
        });
      }
      return await reply.redirect(
        result.stillInScope ? `/children/${request.params.id}/help` : '/work-tray/team',
        303,
      );
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderDetails(request, reply, values, pageErrors(error));
    }
  });

  // Work trays -------------------------------------------------------------------------------------
  app.get('/work-tray', async (request, reply) => {
    const tray = await myWorkTray(deps, actorOf(request));
    return reply.view('pages/help/work-tray.njk', { tray });
  });

  app.get('/work-tray/team', async (request, reply) => {
    const teamId = field(request.query, 'team', 40);
    const tray = await teamWorkTray(deps, actorOf(request), { teamId: teamId === '' ? undefined : teamId });
    return reply.view('pages/help/team-tray.njk', { tray });
  });

  app.post<{ Params: { taskId: string } }>('/work-tray/tasks/:taskId/done', async (request, reply) => {
    await completeTask(deps, actorOf(request), { taskId: request.params.taskId, requestId: request.id });
    const back = field(request.body, 'back', 20) === 'team' ? '/work-tray/team' : '/work-tray';
    const team = field(request.body, 'team', 40);
    const query = back === '/work-tray/team' && /^[0-9a-f-]{36}$/i.test(team) ? `?team=${team}` : '';
    return reply.redirect(`${back}${query}`, 303);
  });
}
