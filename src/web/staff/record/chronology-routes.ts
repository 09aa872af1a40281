import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addCuratedEntry, chronologyFor, type ChronologyFilter } from '../../../modules/help/chronology.ts';
import { mayWriteHelp } from '../../../modules/help/visits.ts';
import {
  EMPTY_DATE,
  ErrorList,
  parseDate,
  readDateParts,
  type DateParts,
} from '../../../modules/people/person-form.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError } from '../../../platform/errors.ts';
import { field } from '../../forms.ts';
import { actorOf } from '../guard.ts';
import { formSource, pageErrors, type PageErrors } from '../people/helpers.ts';
import { childView, type ChildParams } from './shared.ts';

const FILTERS: Readonly<Record<ChronologyFilter, string>> = {
  all: 'All entries',
  automatic: 'Recorded automatically',
  curated: 'Added by practitioners',
};

type EntryForm = { occurredOn: DateParts; summary: string };

function isFilter(value: string): value is ChronologyFilter {
  return Object.hasOwn(FILTERS, value);
}

/** The chronology: the timeline of significant events, newest first, and entries practitioners add. */
export async function chronologyRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  async function render(
    request: FastifyRequest<ChildParams>,
    reply: FastifyReply,
    show: ChronologyFilter,
    form: EntryForm,
    errors?: PageErrors,
  ) {
    const actor = actorOf(request);
    const { child, items } = await chronologyFor(deps, actor, {
      personId: request.params.id,
      requestId: request.id,
      route: '/children/:id/chronology',
      kind: show,
    });
    if (errors) reply.code(400);
    return reply.view('pages/record/chronology.njk', {
      child: childView(child),
      items,
      show,
      filters: Object.entries(FILTERS).map(([value, text]) => ({ value, text, checked: value === show })),
      values: form,
      errors,
      mayWrite: await mayWriteHelp(deps, actor, child.id),
    });
  }

  // The filter is a GET parameter: a kind of entry, nothing personal.
  app.get<ChildParams>('/children/:id/chronology', async (request, reply) => {
    const asked = field(request.query, 'show', 20);
    return render(request, reply, isFilter(asked) ? asked : 'all', { occurredOn: EMPTY_DATE, summary: '' });
  });

  app.post<ChildParams>('/children/:id/chronology', async (request, reply) => {
    const source = formSource(request);
    const form: EntryForm = {
      occurredOn: readDateParts(source, 'occurredOn'),
      summary: source.get('summary'),
    };
    try {
      // The date input's own messages first ("Date must include a month"); the service checks the rest.
      const errors = new ErrorList();
      const occurredOn = parseDate(errors, 'occurredOn', 'Date', form.occurredOn, {
        required: 'Enter the date it happened',
      });
      if (form.summary.trim() === '') errors.add('summary', 'Enter what happened');
      errors.throwIfAny();
      await addCuratedEntry(deps, actorOf(request), {
        personId: request.params.id,
        occurredOn: occurredOn ?? '',
        summary: form.summary,
        requestId: request.id,
      });
      return await reply.redirect(`/children/${request.params.id}/chronology`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      const errors = pageErrors(error);
      // The service's date message names the whole date: highlight all three parts.
      const dateParts =
        errors.byField['occurredOn'] && !errors.dateParts['occurredOn']
          ? { ...errors.dateParts, occurredOn: ['day', 'month', 'year'] as const }
          : errors.dateParts;
      const summary = errors.summary.map((item) =>
        item.href === '#occurredOn' ? { ...item, href: '#occurredOn-day' } : item,
      );
      return render(request, reply, 'all', form, { ...errors, summary, dateParts });
    }
  });
}
