import type { FastifyInstance } from 'fastify';
import { assertMaySearch, searchPeople } from '../../../modules/people/search.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError } from '../../../platform/errors.ts';
import { field, formErrors } from '../../forms.ts';
import { actorOf } from '../guard.ts';

const TEMPLATE = 'pages/search.njk';

/** Where each error in the summary links to: a date error goes to the day input, as GOV.UK asks. */
const FIELD_IDS = { dateOfBirth: 'dateOfBirth-day' };

/** Finding a person by name, date of birth, identifier or postcode. */
export async function searchRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  // The empty form. Any query string is ignored: search terms never travel in a URL.
  app.get('/search', async (request, reply) => {
    assertMaySearch(actorOf(request));
    return reply.view(TEMPLATE, { values: {} });
  });

  // Search terms are names, dates of birth, NHS numbers and postcodes: personal data that must never
  // be in a URL, where browser history, proxies and server logs would keep it. So the form posts
  // (with its CSRF token) and the results are rendered in the response itself, with no redirect.
  // This POST changes nothing but the audit log, which is acceptable for a search: a resubmission
  // just searches again.
  app.post('/search', async (request, reply) => {
    const values = {
      name: field(request.body, 'name', 200),
      dateOfBirthDay: field(request.body, 'dateOfBirth-day', 10),
      dateOfBirthMonth: field(request.body, 'dateOfBirth-month', 10),
      dateOfBirthYear: field(request.body, 'dateOfBirth-year', 10),
      identifier: field(request.body, 'identifier', 100),
      postcode: field(request.body, 'postcode', 20),
    };
    try {
      const outcome = await searchPeople(deps, actorOf(request), {
        name: values.name,
        dateOfBirth: {
          day: values.dateOfBirthDay,
          month: values.dateOfBirthMonth,
          year: values.dateOfBirthYear,
        },
        identifier: values.identifier,
        postcode: values.postcode,
        requestId: request.id,
      });
      return await reply.view(TEMPLATE, { values, outcome });
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      reply.code(400);
      return reply.view(TEMPLATE, { values, errors: formErrors(error.errors, FIELD_IDS) });
    }
  });
}
