import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  NAME_KINDS,
  addPersonName,
  createPerson,
  getPersonForEdit,
  readNameForm,
  removePersonName,
  updatePerson,
  viewPerson,
  type NameFormValues,
} from '../../../modules/people/people.service.ts';
import {
  CONSISTENT_ID_MISSING_REASONS,
  DISABILITIES,
  EMPTY_DATE,
  EMPTY_PERSON_FORM,
  ETHNICITIES,
  IMMIGRATION_STATUSES,
  PERSON_TYPES,
  SEXES,
  UPN_UNKNOWN_REASONS,
  isKey,
  readPersonForm,
  type PersonFormValues,
} from '../../../modules/people/person-form.ts';
import {
  canCreatePeople,
  findVisiblePerson,
  personPath,
  requireWritable,
  type DuplicateCandidate,
} from '../../../modules/people/person-write.ts';
import { exportPeople } from '../../../modules/people/export.ts';
import { isoToday } from '../../../modules/people/person-form.ts';
import type { Deps } from '../../../platform/deps.ts';
import { ConflictError, ForbiddenError, InvalidInputError } from '../../../platform/errors.ts';
import { field } from '../../forms.ts';
import { actorOf } from '../guard.ts';
import { addressRoutes } from './address-routes.ts';
import { checkboxes, choices, formSource, pageErrors, postedVersion, type PageErrors } from './helpers.ts';
import { showPersonPage } from './person-page.ts';
import { professionalRoutes } from './professional-routes.ts';
import { relationshipRoutes } from './relationship-routes.ts';

type IdParams = { Params: { id: string } };

/** The code lists the person form offers, with what was chosen marked. */
function personFormLists(values: PersonFormValues) {
  return {
    personTypes: choices(PERSON_TYPES, values.personType),
    sexes: choices(SEXES, values.sex),
    ethnicities: [
      { value: '', text: 'Not recorded', selected: values.ethnicity === '' },
      ...choices(ETHNICITIES, values.ethnicity, 'selected'),
    ],
    disabilities: checkboxes(DISABILITIES, values.disabilities),
    immigrationStatuses: [
      { value: '', text: 'Not recorded', selected: values.immigrationStatus === '' },
      ...choices(IMMIGRATION_STATUSES, values.immigrationStatus, 'selected'),
    ],
    upnReasons: [
      {
        value: '',
        text: 'Not applicable: the UPN is known or not needed',
        selected: values.upnUnknownReason === '',
      },
      ...Object.entries(UPN_UNKNOWN_REASONS).map(([value, text]) => ({
        value,
        text: `${value}: ${text}`,
        selected: values.upnUnknownReason === value,
      })),
    ],
    consistentReasons: [
      { value: '', text: 'Not applicable', selected: values.consistentChildIdMissingReason === '' },
      ...choices(CONSISTENT_ID_MISSING_REASONS, values.consistentChildIdMissingReason, 'selected'),
    ],
  };
}

/** The hidden fields that carry a person form through the "is this one of these people?" page. */
function hiddenFields(values: PersonFormValues): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const [key, value] of Object.entries(values) as [string, unknown][]) {
    if (typeof value === 'string') out.push({ name: key, value });
    else if (Array.isArray(value)) for (const v of value as string[]) out.push({ name: key, value: v });
    else if (value && typeof value === 'object') {
      for (const part of ['day', 'month', 'year'] as const)
        out.push({ name: `${key}-${part}`, value: String(Reflect.get(value, part) ?? '') });
    }
  }
  return out;
}

/** People: adding and changing a person's details and names; their page. */
export async function peopleRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  function renderNew(reply: FastifyReply, values: PersonFormValues, errors?: PageErrors) {
    if (errors) reply.code(400);
    return reply.view('pages/people/new.njk', { values, ...personFormLists(values), errors });
  }

  app.get('/people/new', async (request, reply) => {
    if (!canCreatePeople(actorOf(request))) throw new ForbiddenError();
    const kind = field(request.query, 'kind', 10);
    return renderNew(reply, { ...EMPTY_PERSON_FORM, personType: isKey(PERSON_TYPES, kind) ? kind : '' });
  });

  app.post('/people', async (request, reply) => {
    const actor = actorOf(request);
    const values = readPersonForm(formSource(request));
    const decision = field(request.body, 'duplicateChoice', 50);
    // "Is this one of these people?" answered with one of them: go to their record, adding nothing.
    if (decision !== '' && decision !== 'new') {
      return reply.redirect(personPath(await findVisiblePerson(deps, actor, decision)), 303);
    }
    try {
      const result = await createPerson(deps, actor, {
        values,
        duplicatesChecked: decision === 'new',
        requestId: request.id,
      });
      if (result.outcome === 'created')
        return await reply.redirect(personPath({ id: result.id, isChild: result.isChild }), 303);
      const unanswered = field(request.body, 'duplicatesShown', 5) === 'yes';
      const errors = unanswered
        ? pageErrors(
            new InvalidInputError([
              { field: 'duplicateChoice', message: 'Select one of these people, or ‘None of these’' },
            ]),
          )
        : undefined;
      return await renderDuplicates(reply, values, result.candidates, errors);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderNew(reply, values, pageErrors(error));
    }
  });

  function renderDuplicates(
    reply: FastifyReply,
    values: PersonFormValues,
    candidates: readonly DuplicateCandidate[],
    errors?: PageErrors,
  ) {
    if (errors) reply.code(400);
    return reply.view('pages/people/duplicates.njk', {
      values,
      hidden: hiddenFields(values),
      candidates: candidates.map((c) => ({ ...c, href: personPath(c) })),
      errors,
    });
  }

  // Everyone the actor may see, as a spreadsheet: no parameters, so nothing personal in the address.
  app.get('/people/export.csv', async (request, reply) => {
    const { csv } = await exportPeople(deps, actorOf(request), { requestId: request.id });
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="people-${isoToday(deps.clock.now())}.csv"`)
      .header('cache-control', 'no-store')
      .send(csv);
  });

  app.get<IdParams>('/people/:id', async (request, reply) =>
    showPersonPage(deps, request, reply, '/people/:id'),
  );

  async function renderEdit(
    request: FastifyRequest<IdParams>,
    reply: FastifyReply,
    form?: { values: PersonFormValues; version: number; errors: PageErrors },
  ) {
    const actor = actorOf(request);
    if (form) {
      const person = await requireWritable(deps.db, deps, actor, request.params.id);
      reply.code(400);
      return reply.view('pages/people/edit.njk', {
        person,
        personHref: personPath(person),
        ...form,
        ...personFormLists(form.values),
      });
    }
    const loaded = await getPersonForEdit(deps, actor, request.params.id, {
      requestId: request.id,
      route: '/people/:id/edit',
    });
    const person = {
      id: loaded.person.id,
      name: `${loaded.person.givenName} ${loaded.person.familyName}`,
      isChild: loaded.person.isChild,
    };
    return reply.view('pages/people/edit.njk', {
      person,
      personHref: personPath(person),
      values: loaded.values,
      version: loaded.version,
      ...personFormLists(loaded.values),
    });
  }

  app.get<IdParams>('/people/:id/edit', async (request, reply) => renderEdit(request, reply));

  app.post<IdParams>('/people/:id/edit', async (request, reply) => {
    const values = readPersonForm(formSource(request));
    const version = postedVersion(request);
    try {
      const result = await updatePerson(deps, actorOf(request), request.params.id, {
        values,
        version,
        requestId: request.id,
      });
      return await reply.redirect(personPath({ id: request.params.id, isChild: result.isChild }), 303);
    } catch (error) {
      if (error instanceof ConflictError) {
        reply.code(409);
        return reply.view('errors/conflict.njk', { backLink: `/people/${request.params.id}/edit` });
      }
      if (!(error instanceof InvalidInputError)) throw error;
      return renderEdit(request, reply, { values, version, errors: pageErrors(error) });
    }
  });

  // Other names ------------------------------------------------------------------------------

  async function renderName(
    request: FastifyRequest<IdParams>,
    reply: FastifyReply,
    values: NameFormValues,
    errors?: PageErrors,
  ) {
    const actor = actorOf(request);
    let person;
    if (errors) {
      person = await requireWritable(deps.db, deps, actor, request.params.id);
      reply.code(400);
    } else {
      const viewed = await viewPerson(deps, actor, request.params.id, {
        requestId: request.id,
        route: '/people/:id/names/new',
      });
      person = await requireWritable(deps.db, deps, actor, viewed.id);
    }
    return reply.view('pages/people/name.njk', {
      person,
      personHref: personPath(person),
      values,
      kinds: choices(NAME_KINDS, values.kind),
      errors,
    });
  }

  app.get<IdParams>('/people/:id/names/new', async (request, reply) =>
    renderName(request, reply, { kind: '', givenName: '', familyName: '', usedUntil: EMPTY_DATE }),
  );

  app.post<IdParams>('/people/:id/names', async (request, reply) => {
    const values = readNameForm(formSource(request));
    try {
      const person = await addPersonName(deps, actorOf(request), request.params.id, {
        values,
        requestId: request.id,
      });
      return await reply.redirect(`${personPath(person)}#names`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderName(request, reply, values, pageErrors(error));
    }
  });

  app.post<{ Params: { id: string; nameId: string } }>(
    '/people/:id/names/:nameId/remove',
    async (request, reply) => {
      const person = await removePersonName(
        deps,
        actorOf(request),
        request.params.id,
        request.params.nameId,
        request.id,
      );
      return reply.redirect(`${personPath(person)}#names`, 303);
    },
  );

  await app.register(addressRoutes, { deps });
  await app.register(relationshipRoutes, { deps });
  await app.register(professionalRoutes, { deps });
}
