import type { FamilyAccountKind } from './portal.table.ts';

/** The parts of a child's record a family account can be allowed to see. */
export const PORTAL_SECTIONS = [
  'plan',
  'meetings',
  'reports',
  'views',
  'messages',
  'records',
  'seen',
] as const;
export type PortalSection = (typeof PORTAL_SECTIONS)[number];

/**
 * The signed-in parent, young person or supporter, loaded afresh on every portal request (so a
 * withdrawal or a limit applies at once). Portal services take this, never a staff Actor.
 */
export type FamilyActor = {
  readonly accountId: string;
  readonly organisationId: string;
  /** The parent, young person or supporter themself. */
  readonly personId: string;
  readonly kind: FamilyAccountKind;
  readonly displayName: string;
  /** The children whose record this account may see, each with the sections allowed. */
  readonly children: readonly { readonly childId: string; readonly sections: readonly PortalSection[] }[];
};

/** Whether the family actor may see this section of this child's record. Services turn false into "not found". */
export function familyCanSee(actor: FamilyActor, childId: string, section: PortalSection): boolean {
  const child = actor.children.find((c) => c.childId === childId);
  return child !== undefined && child.sections.includes(section);
}
