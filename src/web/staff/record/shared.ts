import type { FastifyReply } from 'fastify';
import type { Child } from '../../../modules/help/visits.ts';

export type ChildParams = { Params: { id: string } };

/** The child as the record pages show them: an id for links and a name for the caption. */
export function childView(child: Child): { id: string; name: string } {
  return { id: child.id, name: `${child.given_name} ${child.family_name}` };
}

/** Visits, notes and practical help are recorded in an open episode of help; without one, say so. */
export function renderNoOpenEpisode(reply: FastifyReply, child: Child, what: string, status = 200) {
  reply.code(status);
  return reply.view('pages/record/no-episode.njk', { child: childView(child), what });
}
