import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { listPeopleToRelate, viewPerson } from '../../../modules/people/people.service.ts';
import { EMPTY_DATE, isoToday } from '../../../modules/people/person-form.ts';
import {
  canCreatePeople,
  personPath,
  requireWritable,
  type DuplicateCandidate,
} from '../../../modules/people/person-write.ts';
import {
  addRelationship,
  getRelationship,
  listRelationships,
  readRelationshipForm,
  relationshipChoices,
  relationshipFormFrom,
  removeRelationship,
  updateRelationship,
  type RelationshipFormValues,
} from '../../../modules/people/relationships.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError, NotFoundError } from '../../../platform/errors.ts';
import { field } from '../../forms.ts';
import { govukDate } from '../../views.ts';
import { actorOf } from '../guard.ts';
import { formSource, pageErrors, type PageErrors } from './helpers.ts';

type Params = { Params: { id: string; relationshipId?: string } };

const EMPTY_FORM: RelationshipFormValues = {
  relatedPersonId: '',
  choice: '',
  newGivenName: '',
  newFamilyName: '',
  newDateOfBirth: EMPTY_DATE,
  startedOn: EMPTY_DATE,
  endedOn: EMPTY_DATE,
  parentalResponsibility: '',
  inFamilyNetwork: '',
  networkNote: '',
  duplicateChoice: '',
};

/** Relationships and the family network: adding, changing and removing one added in error. */
export async function relationshipRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  async function renderNew(
    request: FastifyRequest<Params>,
    reply: FastifyReply,
    values: RelationshipFormValues,
    extra: { errors?: PageErrors; candidates?: readonly DuplicateCandidate[] } = {},
  ) {
    const actor = actorOf(request);
    if (extra.errors) reply.code(400);
    else if (!extra.candidates)
      await viewPerson(deps, actor, request.params.id, {
        requestId: request.id,
        route: '/people/:id/relationships/new',
      });
    const person = await requireWritable(deps.db, deps, actor, request.params.id);
    const people = await listPeopleToRelate(deps, actor, person.id);
    return reply.view('pages/people/relationship-new.njk', {
      person,
      personHref: personPath(person),
      values,
      people: [
        { value: '', text: 'Choose a person', selected: values.relatedPersonId === '' },
        ...people.map((p) => ({
          value: p.id,
          text: `${p.givenName} ${p.familyName}${p.dateOfBirth ? `, born ${govukDate(p.dateOfBirth)}` : ''}`,
          selected: values.relatedPersonId === p.id,
        })),
      ],
      kinds: [
        { value: '', text: 'Choose a relationship', selected: values.choice === '' },
        ...relationshipChoices().map((c) => ({ ...c, selected: values.choice === c.value })),
      ],
      canCreate: canCreatePeople(actor),
      candidates: extra.candidates?.map((c) => ({ ...c, href: personPath(c) })),
      errors: extra.errors,
    });
  }

  app.get<Params>('/people/:id/relationships/new', async (request, reply) =>
    renderNew(request, reply, EMPTY_FORM),
  );

  app.post<Params>('/people/:id/relationships', async (request, reply) => {
    const values = readRelationshipForm(formSource(request));
    try {
      const result = await addRelationship(deps, actorOf(request), request.params.id, {
        values,
        requestId: request.id,
      });
      if (result.outcome === 'duplicates') {
        const unanswered = field(request.body, 'duplicatesShown', 5) === 'yes';
        const errors = unanswered
          ? pageErrors(
              new InvalidInputError([
                { field: 'duplicateChoice', message: 'Select one of these people, or ‘None of these’' },
              ]),
            )
          : undefined;
        return await renderNew(request, reply, values, {
          candidates: result.candidates,
          ...(errors ? { errors } : {}),
        });
      }
      return await reply.redirect(`${personPath(result.person)}#relationships`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderNew(request, reply, values, { errors: pageErrors(error) });
    }
  });

  async function renderChange(
    request: FastifyRequest<Params>,
    reply: FastifyReply,
    values: RelationshipFormValues | undefined,
    errors?: PageErrors,
  ) {
    const actor = actorOf(request);
    if (errors) reply.code(400);
    else
      await viewPerson(deps, actor, request.params.id, {
        requestId: request.id,
        route: '/people/:id/relationships/:relationshipId',
      });
    const person = await requireWritable(deps.db, deps, actor, request.params.id);
    const stored = await getRelationship(deps, person.id, request.params.relationshipId ?? '');
    const shown = (await listRelationships(deps, actor, person.id, isoToday(deps.clock.now()))).find(
      (r) => r.id === stored.id,
    );
    if (!shown) throw new NotFoundError();
    return reply.view('pages/people/relationship-change.njk', {
      person,
      personHref: personPath(person),
      relationship: shown,
      values: values ?? relationshipFormFrom(stored),
      errors,
    });
  }

  app.get<Params>('/people/:id/relationships/:relationshipId', async (request, reply) =>
    renderChange(request, reply, undefined),
  );

  app.post<Params>('/people/:id/relationships/:relationshipId', async (request, reply) => {
    const values = readRelationshipForm(formSource(request));
    try {
      const person = await updateRelationship(
        deps,
        actorOf(request),
        request.params.id,
        request.params.relationshipId ?? '',
        {
          values,
          requestId: request.id,
        },
      );
      return await reply.redirect(`${personPath(person)}#relationships`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderChange(request, reply, values, pageErrors(error));
    }
  });

  app.post<Params>('/people/:id/relationships/:relationshipId/remove', async (request, reply) => {
    const person = await removeRelationship(
      deps,
      actorOf(request),
      request.params.id,
      request.params.relationshipId ?? '',
      request.id,
    );
    return reply.redirect(`${personPath(person)}#relationships`, 303);
  });
}
