import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  EMPTY_ADDRESS_FORM,
  addAddress,
  getAddressForm,
  readAddressForm,
  updateAddress,
  type AddressFormValues,
} from '../../../modules/people/addresses.ts';
import { viewPerson } from '../../../modules/people/people.service.ts';
import { personPath, requireWritable } from '../../../modules/people/person-write.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError } from '../../../platform/errors.ts';
import { actorOf } from '../guard.ts';
import { formSource, pageErrors, type PageErrors } from './helpers.ts';

type Params = { Params: { id: string; addressId?: string } };

/** Adding an address, and changing one (most often, to say when they moved out). */
export async function addressRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  async function render(
    request: FastifyRequest<Params>,
    reply: FastifyReply,
    values: AddressFormValues | undefined,
    errors?: PageErrors,
  ) {
    const actor = actorOf(request);
    const { id, addressId } = request.params;
    if (errors) reply.code(400);
    else
      await viewPerson(deps, actor, id, {
        requestId: request.id,
        route: addressId ? '/people/:id/addresses/:addressId' : '/people/:id/addresses/new',
      });
    const person = await requireWritable(deps.db, deps, actor, id);
    const shown =
      values ?? (addressId ? await getAddressForm(deps, person.id, addressId) : EMPTY_ADDRESS_FORM);
    const hasCurrent = addressId
      ? false
      : (await deps.db
          .selectFrom('person_addresses')
          .select('id')
          .where('person_id', '=', person.id)
          .where('ended_on', 'is', null)
          .executeTakeFirst()) !== undefined;
    return reply.view('pages/people/address.njk', {
      person,
      personHref: personPath(person),
      action: addressId ? `/people/${person.id}/addresses/${addressId}` : `/people/${person.id}/addresses`,
      changing: addressId !== undefined,
      hasCurrent,
      values: shown,
      errors,
    });
  }

  app.get<Params>('/people/:id/addresses/new', async (request, reply) => render(request, reply, undefined));

  app.post<Params>('/people/:id/addresses', async (request, reply) => {
    const values = readAddressForm(formSource(request));
    try {
      const person = await addAddress(deps, actorOf(request), request.params.id, {
        values,
        requestId: request.id,
      });
      return await reply.redirect(`${personPath(person)}#addresses`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return render(request, reply, values, pageErrors(error));
    }
  });

  app.get<Params>('/people/:id/addresses/:addressId', async (request, reply) =>
    render(request, reply, undefined),
  );

  app.post<Params>('/people/:id/addresses/:addressId', async (request, reply) => {
    const values = readAddressForm(formSource(request));
    try {
      const person = await updateAddress(
        deps,
        actorOf(request),
        request.params.id,
        request.params.addressId ?? '',
        { values, requestId: request.id },
      );
      return await reply.redirect(`${personPath(person)}#addresses`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return render(request, reply, values, pageErrors(error));
    }
  });
}
