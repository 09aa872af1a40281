/** Pieces shared by the assessment and plan services. */

export type ChildRef = { readonly id: string; readonly name: string };

export function childRef(row: { id: string; given_name: string; family_name: string }): ChildRef {
  return { id: row.id, name: `${row.given_name} ${row.family_name}` };
}
