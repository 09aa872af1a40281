import { carerKind, placementTypeLabel } from './rules.ts';

/**
 * What a parent may see of their child's placement. This is the ONE place that decides it: every
 * page, letter or export written for the birth family is built from familyViewOfPlacement, never
 * from the placement row. The kind of placement and of carer are always shown; the address, the
 * postcode, the carers' name, the provider's name and its registration number only when the address
 * is not hidden from the family (hidden is the default for every placement).
 */

/** The placement columns the family view reads (a placements row has them all). */
export type PlacementForFamily = {
  readonly placement_type: string;
  readonly provider: string | null;
  readonly started_on: string;
  readonly ended_on: string | null;
  readonly address_hidden_from_family: boolean;
  readonly address: string | null;
  readonly postcode: string | null;
  readonly carer_name: string | null;
  readonly provider_name: string | null;
};

export type FamilyPlacementView = {
  readonly placementType: string;
  readonly carerType: string;
  readonly startedOn: string;
  readonly endedOn: string | null;
  /** True when the address, postcode and carers' name are kept from the family. */
  readonly withheld: boolean;
  readonly address: string | null;
  readonly postcode: string | null;
  readonly carerName: string | null;
};

export function familyViewOfPlacement(placement: PlacementForFamily): FamilyPlacementView {
  const shared = {
    placementType: placementTypeLabel(placement.placement_type),
    carerType: carerKind(placement.placement_type, placement.provider),
    startedOn: placement.started_on,
    endedOn: placement.ended_on,
  };
  if (placement.address_hidden_from_family) {
    return { ...shared, withheld: true, address: null, postcode: null, carerName: null };
  }
  return {
    ...shared,
    withheld: false,
    address: placement.address,
    postcode: placement.postcode,
    carerName: placement.carer_name ?? placement.provider_name,
  };
}
