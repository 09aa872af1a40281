import type { FastifyInstance } from 'fastify';
import { readFamilyMap } from '../../../modules/people/family-map.repository.ts';
import { drawFamilyMap, type FamilyMember } from '../../../modules/people/genogram.ts';
import { viewPerson } from '../../../modules/people/people.service.ts';
import type { Deps } from '../../../platform/deps.ts';
import { actorOf } from '../guard.ts';

type IdParams = { Params: { id: string } };

const ROUTE = '/children/:id/family-map';

function yesNo(value: boolean | null): string {
  if (value === null) return 'Not applicable';
  return value ? 'Yes' : 'No';
}

/** One row of the "People in the genogram" table, as govukTable cells (text only: the macro escapes). */
function tableRow(member: FamilyMember): { text: string }[] {
  return [
    { text: member.name },
    { text: member.relationship },
    { text: member.restricted ? 'Not shown: restricted record' : (member.dates ?? 'Not known') },
    { text: yesNo(member.parentalResponsibility) },
    { text: yesNo(member.inFamilyNetwork) },
    { text: member.restricted ? 'Not shown' : (member.household ?? 'None recorded') },
  ];
}

/** The genogram and ecomap of a child's family, drawn on the server, each with a text alternative. */
export async function familyMapRoutes(app: FastifyInstance, options: { deps: Deps }): Promise<void> {
  const { deps } = options;

  app.get<IdParams>(ROUTE, async (request, reply) => {
    const actor = actorOf(request);
    // Scope first (out of scope is "not found"), and the view is audited.
    const child = await viewPerson(deps, actor, request.params.id, { requestId: request.id, route: ROUTE });
    const data = await readFamilyMap(deps, actor, child);
    const map = drawFamilyMap(data);
    const connections = map.ecomap.connections;
    return reply.view('pages/family-map.njk', {
      child,
      // Built by drawFamilyMap, which escapes every piece of text it puts in.
      genogramSvg: map.genogram.svg,
      ecomapSvg: map.ecomap.svg,
      tableRows: map.members.map(tableRow),
      peopleCount: map.members.length,
      network: connections.filter((c) => c.kind === 'family'),
      professionals: connections.filter((c) => c.kind === 'professional'),
      notShown: data.notShown,
    });
  });
}
