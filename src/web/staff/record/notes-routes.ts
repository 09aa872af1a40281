import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  EMPTY_NOTE_FORM,
  NOTE_KINDS,
  childForNoteForm,
  createNote,
  getNoteForEdit,
  listNotes,
  readNoteForm,
  updateNote,
  type NoteFormValues,
} from '../../../modules/help/notes.ts';
import { NoOpenEpisodeError } from '../../../modules/help/visits.ts';
import type { Deps } from '../../../platform/deps.ts';
import { InvalidInputError } from '../../../platform/errors.ts';
import { actorOf } from '../guard.ts';
import { choices, formSource, pageErrors, postedVersion, type PageErrors } from '../people/helpers.ts';
import { childView, renderNoOpenEpisode, type ChildParams } from './shared.ts';

type NoteParams = { Params: { id: string; nid: string } };

/** The kinds of note offered: management oversight only to managers (or when the note already is one). */
function kindItems(values: NoteFormValues, mayWriteOversight: boolean) {
  return choices(NOTE_KINDS, values.kind).filter(
    (item) => item.value !== 'management_oversight' || mayWriteOversight || values.kind === item.value,
  );
}

export async function noteRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  app.get<ChildParams>('/children/:id/notes', async (request, reply) => {
    const result = await listNotes(deps, actorOf(request), {
      personId: request.params.id,
      requestId: request.id,
    });
    return reply.view('pages/record/notes.njk', {
      child: childView(result.child),
      notes: result.notes,
      hasOpenEpisode: result.hasOpenEpisode,
      mayWrite: result.mayWrite,
    });
  });

  async function renderNew(
    request: FastifyRequest<ChildParams>,
    reply: FastifyReply,
    values: NoteFormValues,
    errors?: PageErrors,
  ) {
    const context = await childForNoteForm(deps, actorOf(request), { personId: request.params.id });
    if (!context.hasOpenEpisode) {
      return renderNoOpenEpisode(reply, context.child, 'write a note', errors ? 409 : 200);
    }
    if (errors) reply.code(400);
    return reply.view('pages/record/note-form.njk', {
      child: childView(context.child),
      values,
      errors,
      title: 'Write a note',
      action: `/children/${context.child.id}/notes`,
      kinds: kindItems(values, context.mayWriteOversight),
    });
  }

  app.get<ChildParams>('/children/:id/notes/new', async (request, reply) =>
    renderNew(request, reply, EMPTY_NOTE_FORM),
  );

  app.post<ChildParams>('/children/:id/notes', async (request, reply) => {
    const values = readNoteForm(formSource(request));
    try {
      await createNote(deps, actorOf(request), {
        personId: request.params.id,
        values,
        requestId: request.id,
      });
      return await reply.redirect(`/children/${request.params.id}/notes`, 303);
    } catch (error) {
      if (error instanceof NoOpenEpisodeError) {
        const context = await childForNoteForm(deps, actorOf(request), { personId: request.params.id });
        return renderNoOpenEpisode(reply, context.child, 'write a note', 409);
      }
      if (!(error instanceof InvalidInputError)) throw error;
      return renderNew(request, reply, values, pageErrors(error));
    }
  });

  async function renderEdit(
    request: FastifyRequest<NoteParams>,
    reply: FastifyReply,
    form?: { values: NoteFormValues; version: number; errors: PageErrors },
  ) {
    const actor = actorOf(request);
    const { id, nid } = request.params;
    const loaded = await getNoteForEdit(deps, actor, { personId: id, noteId: nid, requestId: request.id });
    if (form) reply.code(400);
    const page = {
      ...loaded,
      child: childView(loaded.child),
      ...(form ? { values: form.values, version: form.version } : {}),
    };
    return reply.view('pages/record/note-form.njk', {
      ...page,
      errors: form?.errors,
      title: 'Change a note',
      editing: true,
      action: `/children/${page.child.id}/notes/${nid}/edit`,
      kinds: kindItems(page.values, page.mayWriteOversight),
    });
  }

  app.get<NoteParams>('/children/:id/notes/:nid/edit', async (request, reply) => renderEdit(request, reply));

  app.post<NoteParams>('/children/:id/notes/:nid/edit', async (request, reply) => {
    const values = readNoteForm(formSource(request));
    const version = postedVersion(request);
    try {
      await updateNote(deps, actorOf(request), {
        personId: request.params.id,
        noteId: request.params.nid,
        values,
        version,
        requestId: request.id,
      });
      return await reply.redirect(`/children/${request.params.id}/notes`, 303);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return renderEdit(request, reply, { values, version, errors: pageErrors(error) });
    }
  });
}
