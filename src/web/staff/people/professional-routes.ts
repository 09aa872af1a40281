import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { viewPerson } from '../../../modules/people/people.service.ts';
import { personPath, requireWritable } from '../../../modules/people/person-write.ts';
import {
  EMPTY_PROFESSIONAL_FORM,
  PROFESSIONAL_ROLES,
  addProfessional,
  getProfessionalForm,
  readProfessionalForm,
  removeProfessional,
  updateProfessional,
  type ProfessionalFormValues,
} from '../../../modules/people/professionals.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError } from '../../../platform/errors.ts';
import { actorOf } from '../guard.ts';
import { choices, formSource, pageErrors, type PageErrors } from './helpers.ts';

type Params = { Params: { id: string; professionalId?: string } };

/** Professionals involved: adding, changing (often, an end date) and removing one added in error. */
export async function professionalRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  async function render(
    request: FastifyRequest<Params>,
    reply: FastifyReply,
    values: ProfessionalFormValues | undefined,
    errors?: PageErrors,
  ) {
    const actor = actorOf(request);
    const { id, professionalId } = request.params;
    if (errors) reply.code(400);
    else {
      await viewPerson(deps, actor, id, {
        requestId: request.id,
        route: professionalId ? '/people/:id/professionals/:professionalId' : '/people/:id/professionals/new',
      });
    }
    const person = await requireWritable(deps.db, deps, actor, id);
    const shown =
      values ??
      (professionalId ? await getProfessionalForm(deps, person.id, professionalId) : EMPTY_PROFESSIONAL_FORM);
    return reply.view('pages/people/professional.njk', {
      person,
      personHref: personPath(person),
      action: professionalId
        ? `/people/${person.id}/professionals/${professionalId}`
        : `/people/${person.id}/professionals`,
      professionalId,
      values: shown,
      roles: choices(PROFESSIONAL_ROLES, shown.role),
      errors,
    });
  }

  app.get<Params>('/people/:id/professionals/new', async (request, reply) =>
    render(request, reply, undefined),
  );

  app.post<Params>('/people/:id/professionals', async (request, reply) => {
    const values = readProfessionalForm(formSource(request));
    try {
      const person = await addProfessional(deps, actorOf(request), request.params.id, {
        values,
        requestId: request.id,
      });
      return await reply.redirect(`${personPath(person)}#professionals`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return render(request, reply, values, pageErrors(error));
    }
  });

  app.get<Params>('/people/:id/professionals/:professionalId', async (request, reply) =>
    render(request, reply, undefined),
  );

  app.post<Params>('/people/:id/professionals/:professionalId', async (request, reply) => {
    const values = readProfessionalForm(formSource(request));
    try {
      const person = await updateProfessional(
        deps,
        actorOf(request),
        request.params.id,
        request.params.professionalId ?? '',
        {
          values,
          requestId: request.id,
        },
      );
      return await reply.redirect(`${personPath(person)}#professionals`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return render(request, reply, values, pageErrors(error));
    }
  });

  app.post<Params>('/people/:id/professionals/:professionalId/remove', async (request, reply) => {
    const person = await removeProfessional(
      deps,
      actorOf(request),
      request.params.id,
      request.params.professionalId ?? '',
      request.id,
    );
    return reply.redirect(`${personPath(person)}#professionals`, 303);
  });
}
