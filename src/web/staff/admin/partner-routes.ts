import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AGENCIES, ORGANISATION_KINDS } from '../../../modules/partners/codes.ts';
import {
  addPartnerTeamMember,
  createPartnerOrganisation,
  createPartnerPractitioner,
  getPartnerOrganisation,
  getTeamForAdmin,
  listPartnerOrganisations,
  listTeamsForAdmin,
  PARTNER_AGENCIES,
  PARTNER_KINDS,
  PARTNER_ROLES,
  removePartnerTeamMember,
  setPartnerRoles,
  setTeamMultiAgency,
  updatePartnerOrganisation,
  type OrganisationValues,
  type PractitionerValues,
} from '../../../modules/partners/partner-admin.ts';
import type { Deps } from '../../../platform/deps.ts';
import { ConflictError, InvalidInputError } from '../../../platform/errors.ts';
import { field, fieldList, formErrors } from '../../forms.ts';
import { actorOf } from '../guard.ts';

/**
 * The administrator's pages for the partner side of Hearth: partner organisations and their
 * practitioners, and multi-agency teams (src/modules/partners/partner-admin.ts decides who may).
 */

type IdParams = { Params: { id: string } };
type UserParams = { Params: { id: string; uid: string } };

const ROLE_NAMES: Readonly<Record<string, string>> = {
  partner_practitioner: 'Partner practitioner: sees the children whose team around the family they are in',
  multi_agency_practitioner:
    'Multi-agency team member: sees the team’s children and records their agency’s section 47 work',
};

const DONE: Readonly<Record<string, string>> = {
  saved: 'Your changes have been saved',
  practitioner: 'The practitioner’s account has been added',
  roles: 'The practitioner’s roles have been changed',
  added: 'The practitioner has been added to the team',
  removed: 'The practitioner has been taken out of the team',
};

function kindItems(selected: string) {
  return PARTNER_KINDS.map((kind) => ({
    value: kind,
    text: ORGANISATION_KINDS[kind] ?? kind,
    checked: kind === selected,
  }));
}

function roleItems(selected: readonly string[]) {
  return PARTNER_ROLES.map((role) => ({
    value: role,
    text: ROLE_NAMES[role] ?? role,
    checked: selected.includes(role),
  }));
}

function readOrganisation(request: FastifyRequest): OrganisationValues {
  return {
    name: field(request.body, 'name', 300),
    kind: field(request.body, 'kind', 40),
    urn: field(request.body, 'urn', 40),
    odsCode: field(request.body, 'odsCode', 40),
  };
}

function version(request: FastifyRequest): number {
  const value = Number.parseInt(field(request.body, 'version', 12), 10);
  return Number.isFinite(value) ? value : -1;
}

export async function partnerAdminRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  // Partner organisations ----------------------------------------------------------------------

  app.get('/admin/partners', async (request, reply) => {
    const organisations = await listPartnerOrganisations(deps, actorOf(request));
    return reply.view('pages/admin/partners.njk', { organisations });
  });

  async function renderNewOrganisation(
    request: FastifyRequest,
    reply: FastifyReply,
    values: OrganisationValues,
    error?: InvalidInputError,
  ) {
    await listPartnerOrganisations(deps, actorOf(request));
    if (error) reply.code(400);
    return reply.view('pages/admin/partner-new.njk', {
      values,
      kinds: kindItems(values.kind),
      errors: error ? formErrors(error.errors, { kind: 'kind' }) : undefined,
    });
  }

  app.get('/admin/partners/new', async (request, reply) =>
    renderNewOrganisation(request, reply, { name: '', kind: '', urn: '', odsCode: '' }),
  );

  app.post('/admin/partners', async (request, reply) => {
    const values = readOrganisation(request);
    try {
      const id = await createPartnerOrganisation(deps, actorOf(request), { values, requestId: request.id });
      return await reply.redirect(`/admin/partners/${id}`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderNewOrganisation(request, reply, values, error);
    }
  });

  async function renderOrganisation(
    request: FastifyRequest<IdParams>,
    reply: FastifyReply,
    posted?: {
      values?: OrganisationValues;
      version?: number;
      error: InvalidInputError;
      /** The practitioner whose roles were refused, for the error summary's link. */
      userId?: string;
    },
  ) {
    const organisation = await getPartnerOrganisation(deps, actorOf(request), request.params.id);
    const values = posted?.values ?? {
      name: organisation.name,
      kind: organisation.kind,
      urn: organisation.urn ?? '',
      odsCode: organisation.odsCode ?? '',
    };
    if (posted) reply.code(400);
    return reply.view('pages/admin/partner.njk', {
      organisation,
      values,
      version: posted?.version ?? organisation.version,
      kinds: kindItems(values.kind),
      roleItems,
      failedUserId: posted?.userId,
      errors: posted
        ? formErrors(posted.error.errors, { kind: 'kind', roleIds: `roleIds-${posted.userId ?? ''}` })
        : undefined,
      done: DONE[field(request.query, 'done', 20)] ?? '',
    });
  }

  app.get<IdParams>('/admin/partners/:id', async (request, reply) => renderOrganisation(request, reply));

  app.post<IdParams>('/admin/partners/:id', async (request, reply) => {
    const values = readOrganisation(request);
    const posted = version(request);
    try {
      await updatePartnerOrganisation(deps, actorOf(request), {
        organisationId: request.params.id,
        values,
        version: posted,
        requestId: request.id,
      });
      return await reply.redirect(`/admin/partners/${request.params.id}?done=saved`, 303);
    } catch (error) {
      if (error instanceof ConflictError) {
        reply.code(409);
        return reply.view('errors/conflict.njk', { backLink: `/admin/partners/${request.params.id}` });
      }
      if (!(error instanceof InvalidInputError)) throw error;
      return renderOrganisation(request, reply, { values, version: posted, error });
    }
  });

  // Partner practitioners ----------------------------------------------------------------------

  async function renderNewPractitioner(
    request: FastifyRequest<IdParams>,
    reply: FastifyReply,
    values: PractitionerValues,
    error?: InvalidInputError,
  ) {
    const organisation = await getPartnerOrganisation(deps, actorOf(request), request.params.id);
    if (error) reply.code(400);
    return reply.view('pages/admin/partner-practitioner-new.njk', {
      organisation,
      values,
      roles: roleItems(values.roleIds),
      errors: error ? formErrors(error.errors) : undefined,
    });
  }

  app.get<IdParams>('/admin/partners/:id/practitioners/new', async (request, reply) =>
    renderNewPractitioner(request, reply, { displayName: '', email: '', password: '', roleIds: [] }),
  );

  app.post<IdParams>('/admin/partners/:id/practitioners', async (request, reply) => {
    const values: PractitionerValues = {
      displayName: field(request.body, 'displayName', 300),
      email: field(request.body, 'email', 300),
      password: field(request.body, 'password', 300),
      roleIds: fieldList(request.body, 'roleIds'),
    };
    try {
      await createPartnerPractitioner(deps, actorOf(request), {
        organisationId: request.params.id,
        values,
        requestId: request.id,
      });
      return await reply.redirect(`/admin/partners/${request.params.id}?done=practitioner`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      // The password is never sent back to the browser.
      return renderNewPractitioner(request, reply, { ...values, password: '' }, error);
    }
  });

  app.post<UserParams>('/admin/partners/:id/practitioners/:uid/roles', async (request, reply) => {
    const roleIds = fieldList(request.body, 'roleIds');
    try {
      await setPartnerRoles(deps, actorOf(request), {
        organisationId: request.params.id,
        userId: request.params.uid,
        roleIds,
        requestId: request.id,
      });
      return await reply.redirect(`/admin/partners/${request.params.id}?done=roles`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderOrganisation(request, reply, { error, userId: request.params.uid });
    }
  });

  // Multi-agency teams -------------------------------------------------------------------------

  app.get('/admin/teams', async (request, reply) => {
    const teams = await listTeamsForAdmin(deps, actorOf(request));
    return reply.view('pages/admin/teams.njk', { teams });
  });

  async function renderTeam(
    request: FastifyRequest<IdParams>,
    reply: FastifyReply,
    posted?: { values: Record<string, string>; error: InvalidInputError },
  ) {
    const team = await getTeamForAdmin(deps, actorOf(request), request.params.id);
    if (posted) reply.code(400);
    const values = posted?.values ?? {};
    return reply.view('pages/admin/team.njk', {
      team,
      values,
      choices: [
        { value: '', text: 'Choose a practitioner' },
        ...team.choices.map((c) => ({
          value: c.id,
          text: `${c.name} (${c.organisation})`,
          selected: c.id === values['userId'],
        })),
      ],
      agencies: PARTNER_AGENCIES.map((a) => ({
        value: a,
        text: AGENCIES[a],
        checked: a === values['agency'],
      })),
      errors: posted ? formErrors(posted.error.errors, { agency: 'agency' }) : undefined,
      done: DONE[field(request.query, 'done', 20)] ?? '',
    });
  }

  app.get<IdParams>('/admin/teams/:id', async (request, reply) => renderTeam(request, reply));

  app.post<IdParams>('/admin/teams/:id/multi-agency', async (request, reply) => {
    const multiAgency = field(request.body, 'multiAgency', 5);
    try {
      await setTeamMultiAgency(deps, actorOf(request), {
        teamId: request.params.id,
        multiAgency,
        requestId: request.id,
      });
      return await reply.redirect(`/admin/teams/${request.params.id}?done=saved`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderTeam(request, reply, { values: { multiAgency }, error });
    }
  });

  app.post<IdParams>('/admin/teams/:id/members', async (request, reply) => {
    const values = { userId: field(request.body, 'userId', 40), agency: field(request.body, 'agency', 40) };
    try {
      await addPartnerTeamMember(deps, actorOf(request), {
        teamId: request.params.id,
        ...values,
        requestId: request.id,
      });
      return await reply.redirect(`/admin/teams/${request.params.id}?done=added`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderTeam(request, reply, { values, error });
    }
  });

  app.post<UserParams>('/admin/teams/:id/members/:uid/remove', async (request, reply) => {
    await removePartnerTeamMember(deps, actorOf(request), {
      teamId: request.params.id,
      userId: request.params.uid,
      requestId: request.id,
    });
    return reply.redirect(`/admin/teams/${request.params.id}?done=removed`, 303);
  });
}
