import type { Deps } from '../../platform/deps.ts';
import type { FamilyActor, PortalSection } from './family-actor.ts';

export type PortalChild = {
  readonly id: string;
  readonly name: string;
  readonly sections: readonly PortalSection[];
};

/**
 * The children this account may see, by first name and family name only, with the sections open to
 * it. Built from the actor's own list (already filtered for withdrawals, limits and restrictions).
 */
export async function portalChildren(deps: Pick<Deps, 'db'>, actor: FamilyActor): Promise<PortalChild[]> {
  const ids = actor.children.map((c) => c.childId);
  if (ids.length === 0) return [];
  const rows = await deps.db
    .selectFrom('people')
    .select(['id', 'given_name', 'preferred_name', 'family_name'])
    .where('id', 'in', ids)
    .where('organisation_id', '=', actor.organisationId)
    .execute();
  const names = new Map(rows.map((r) => [r.id, `${r.preferred_name ?? r.given_name} ${r.family_name}`]));
  return actor.children.flatMap((c) => {
    const name = names.get(c.childId);
    return name === undefined ? [] : [{ id: c.childId, name, sections: c.sections }];
  });
}

/** One child of the actor's, or undefined (callers turn that into "not found"). */
export async function portalChild(
  deps: Pick<Deps, 'db'>,
  actor: FamilyActor,
  childId: string,
): Promise<PortalChild | undefined> {
  if (!actor.children.some((c) => c.childId === childId)) return undefined;
  return (await portalChildren(deps, actor)).find((c) => c.id === childId);
}
