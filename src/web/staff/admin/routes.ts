import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  createUser,
  getUserForAdmin,
  listRolesAndTeams,
  listUsers,
  resetSecondFactor,
  setUserDisabled,
  updateUserAccess,
} from '../../../modules/access/users.service.ts';
import type { Deps } from '../../../platform/deps.ts';
import { ConflictError, InvalidInputError } from '../../../platform/errors.ts';
import { field, fieldList, formErrors } from '../../forms.ts';
import { actorOf } from '../guard.ts';

type IdParams = { Params: { id: string } };

function choices(list: readonly { id: string; name: string }[], selected: readonly string[]) {
  return list.map((item) => ({ value: item.id, text: item.name, checked: selected.includes(item.id) }));
}

export async function adminRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  app.get('/admin/users', async (request, reply) => {
    const users = await listUsers(deps, actorOf(request));
    return reply.view('pages/admin/users.njk', { users });
  });

  async function renderNew(
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    errors?: InvalidInputError,
  ) {
    const actor = actorOf(request);
    const { roles, teams } = await listRolesAndTeams(deps, actor.organisationId);
    const roleIds = (values['roleIds'] as string[] | undefined) ?? [];
    const teamIds = (values['teamIds'] as string[] | undefined) ?? [];
    if (errors) reply.code(400);
    return reply.view('pages/admin/user-new.njk', {
      values,
      roles: choices(roles, roleIds),
      teams: choices(teams, teamIds),
      errors: errors ? formErrors(errors.errors) : undefined,
    });
  }

  app.get('/admin/users/new', async (request, reply) => {
    await listUsers(deps, actorOf(request));
    return renderNew(request, reply, {});
  });

  app.post('/admin/users', async (request, reply) => {
    const actor = actorOf(request);
    const values = {
      email: field(request.body, 'email', 300),
      displayName: field(request.body, 'displayName', 300),
      password: field(request.body, 'password', 300),
      roleIds: fieldList(request.body, 'roleIds'),
      teamIds: fieldList(request.body, 'teamIds'),
    };
    try {
      const { password, ...rest } = values;
      const id = await createUser(
        deps,
        actor,
        actor.organisationId,
        password ? { ...rest, password } : rest,
        request.id,
      );
      return await reply.redirect(`/admin/users/${id}`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderNew(request, reply, { ...values, password: '' }, error);
    }
  });

  async function renderUser(
    request: FastifyRequest<IdParams>,
    reply: FastifyReply,
    extra: Record<string, unknown> = {},
  ) {
    const actor = actorOf(request);
    const user = await getUserForAdmin(deps, actor, request.params.id);
    const { roles, teams } = await listRolesAndTeams(deps, actor.organisationId);
    const roleIds = (extra['roleIds'] as string[] | undefined) ?? user.roleIds;
    const teamIds = (extra['teamIds'] as string[] | undefined) ?? user.teamIds;
    return reply.view('pages/admin/user.njk', {
      user,
      roles: choices(roles, roleIds),
      teams: choices(teams, teamIds),
      ...extra,
    });
  }

  app.get<IdParams>('/admin/users/:id', async (request, reply) => renderUser(request, reply));

  function version(request: FastifyRequest): number {
    const value = Number.parseInt(field(request.body, 'version', 12), 10);
    return Number.isFinite(value) ? value : -1;
  }

  async function conflict(reply: FastifyReply, id: string) {
    reply.code(409);
    return reply.view('errors/conflict.njk', { backLink: `/admin/users/${id}` });
  }

  app.post<IdParams>('/admin/users/:id/access', async (request, reply) => {
    const roleIds = fieldList(request.body, 'roleIds');
    const teamIds = fieldList(request.body, 'teamIds');
    try {
      await updateUserAccess(deps, actorOf(request), request.params.id, {
        roleIds,
        teamIds,
        version: version(request),
        requestId: request.id,
      });
      return await reply.redirect(`/admin/users/${request.params.id}`, 303);
    } catch (error) {
      if (error instanceof ConflictError) return conflict(reply, request.params.id);
      if (!(error instanceof InvalidInputError)) throw error;
      reply.code(400);
      return renderUser(request, reply, { roleIds, teamIds, errors: formErrors(error.errors) });
    }
  });

  for (const [path, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post<IdParams>(`/admin/users/:id/${path}`, async (request, reply) => {
      try {
        await setUserDisabled(deps, actorOf(request), request.params.id, disabled, {
          version: version(request),
          requestId: request.id,
        });
        return await reply.redirect(`/admin/users/${request.params.id}`, 303);
      } catch (error) {
        if (error instanceof ConflictError) return conflict(reply, request.params.id);
        if (!(error instanceof InvalidInputError)) throw error;
        reply.code(400);
        return renderUser(request, reply, { errors: formErrors(error.errors) });
      }
    });
  }

  app.post<IdParams>('/admin/users/:id/reset-second-factor', async (request, reply) => {
    try {
      await resetSecondFactor(deps, actorOf(request), request.params.id, {
        version: version(request),
        requestId: request.id,
      });
      return await reply.redirect(`/admin/users/${request.params.id}`, 303);
    } catch (error) {
      if (error instanceof ConflictError) return conflict(reply, request.params.id);
      throw error;
    }
  });
}
