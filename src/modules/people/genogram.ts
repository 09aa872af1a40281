/**
 * The genogram and ecomap of a child's family, laid out and drawn as SVG on the server.
 *
 * Pure functions: no I/O, no clock (today is an input), and the same input gives the same SVG string
 * whatever order the people and relationships arrive in. Every piece of text is escaped; the SVG uses
 * presentation attributes only (the CSP forbids style attributes and <style> elements).
 *
 * A relationship row reads "related person is <kind> of person". Generations are counted from the
 * child (0): parents -1, grandparents -2, the child's children +1. Couples are two people who are both
 * parents of one child, partners, or a step-parent (or parent's partner) with the parent they are
 * with. A child with one recorded parent hangs from that parent and a "not recorded" placeholder.
 */

export type Sex = 'M' | 'F' | 'U';

export type MapPerson = {
  readonly id: string;
  readonly givenName: string;
  readonly familyName: string;
  /** Null when not recorded, or when the record is restricted from the viewer. */
  readonly sex: Sex | null;
  readonly dateOfBirth: string | null;
  readonly dateOfDeath: string | null;
  /** A restricted record: only the name may be shown. */
  readonly restricted: boolean;
};

export type MapRelationship = {
  readonly id: string;
  readonly personId: string;
  /** "relatedPersonId is <kind> of personId". */
  readonly relatedPersonId: string;
  readonly kind: string;
  readonly parentalResponsibility: boolean;
  readonly inFamilyNetwork: boolean;
  readonly startedOn: string | null;
  readonly endedOn: string | null;
};

export type MapProfessional = {
  readonly id: string;
  readonly role: string;
  readonly name: string;
  readonly organisation: string | null;
};

export type FamilyMapInput = {
  readonly focusId: string;
  readonly people: readonly MapPerson[];
  readonly relationships: readonly MapRelationship[];
  /** Groups of people sharing a current address. Restricted people must not be in any group. */
  readonly households: readonly (readonly string[])[];
  readonly professionals?: readonly MapProfessional[];
  /** YYYY-MM-DD: for ages and for whether a relationship has ended. */
  readonly today: string;
};

/** One row of the text alternative to the genogram. */
export type FamilyMember = {
  readonly id: string;
  readonly name: string;
  readonly isChild: boolean;
  /** "Mother", "Mother’s mother", "No recorded relationship". */
  readonly relationship: string;
  /** "Born 1 June 2015"; null when the record is restricted. */
  readonly dates: string | null;
  readonly restricted: boolean;
  /** Null for the child themself. */
  readonly parentalResponsibility: boolean | null;
  readonly inFamilyNetwork: boolean | null;
  readonly household: string | null;
};

export type EcomapConnection = {
  readonly kind: 'family' | 'professional';
  readonly id: string;
  readonly name: string;
  /** The relationship to the child, or the professional's role. */
  readonly label: string;
  readonly organisation: string | null;
  readonly ended: boolean;
};

export type PlacedNode = {
  /** The person's id, or `unknown:<parent id>` for a parent who is not recorded. */
  readonly key: string;
  readonly personId: string | null;
  readonly row: number;
  /** Centre of the symbol. */
  readonly x: number;
  /** Top of the row. */
  readonly y: number;
};

export type GenogramRow = {
  /** Generation relative to the child, or null for people not related by birth or partnership. */
  readonly generation: number | null;
  readonly label: string;
  readonly top: number;
  /** Node keys, left to right. */
  readonly keys: readonly string[];
};

export type GenogramCouple = { readonly a: string; readonly b: string; readonly ended: boolean };

export type GenogramFamily = {
  readonly parents: readonly [string, string];
  readonly children: readonly string[];
};

export type GenogramLayout = {
  readonly width: number;
  readonly height: number;
  readonly rows: readonly GenogramRow[];
  readonly nodes: ReadonlyMap<string, PlacedNode>;
  readonly couples: readonly GenogramCouple[];
  readonly families: readonly GenogramFamily[];
  readonly households: readonly { readonly label: string; readonly members: readonly string[] }[];
};

// Geometry, in SVG user units (px).
export const NODE_WIDTH = 130;
const SLOT = 150;
const UNIT_GAP = 30;
const ROW_HEIGHT = 200;
const MARGIN = 36;
const HALF = 20;
const SYMBOL_CY = 30;

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

// ---------------------------------------------------------------------------------------------
// Text

/** Escapes text for XML content and attribute values, and drops characters XML cannot carry. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '') // eslint-disable-line no-control-regex -- stripping them is the point
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** GOV.UK style: "1 June 2015". */
export function formatDate(iso: string): string {
  const [year, month, day] = iso.slice(0, 10).split('-');
  return `${Number(day)} ${MONTHS[Number(month) - 1] ?? ''} ${year ?? ''}`;
}

function capitalise(text: string): string {
  return text.length === 0 ? text : text.charAt(0).toUpperCase() + text.slice(1);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Greedy word wrap into at most `maxLines` lines of `maxChars`, ending with "…" when cut. */
export function wrapText(text: string, maxChars: number, maxLines: number): string[] {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let current = '';
  let cut = false;
  for (const word of words) {
    const candidate = current ? `${current} ${word}` : word;
    if (candidate.length <= maxChars) {
      current = candidate;
      continue;
    }
    if (current) lines.push(current);
    current = word;
    while (current.length > maxChars) {
      lines.push(current.slice(0, maxChars));
      current = current.slice(maxChars);
    }
  }
  if (current) lines.push(current);
  if (lines.length > maxLines) {
    lines.length = maxLines;
    cut = true;
  }
  if (cut) {
    const last = lines[maxLines - 1] ?? '';
    lines[maxLines - 1] = `${last.slice(0, maxChars - 1).trimEnd()}…`;
  }
  return lines;
}

function fullName(person: MapPerson): string {
  return `${person.givenName} ${person.familyName}`.trim();
}

function num(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

// ---------------------------------------------------------------------------------------------
// Relationships

type Rel = {
  readonly id: string;
  readonly from: string;
  /** "to is <kind> of from". */
  readonly to: string;
  readonly kind: string;
  readonly ended: boolean;
  readonly endedOn: string | null;
  readonly parentalResponsibility: boolean;
  readonly inFamilyNetwork: boolean;
};

type Edge = { readonly other: string; readonly rel: Rel; readonly forward: boolean };

const PARENT_KINDS = new Set(['mother', 'father']);
const PARENTS_PARTNER_KINDS = new Set(['step-parent', "parent's partner"]);
const PARTNER_KINDS = new Set([
  'partner',
  'spouse',
  'husband',
  'wife',
  'civil partner',
  'ex-partner',
  'former partner',
]);

/** Generation of the related person minus that of the person, where the kind says. */
const GENERATION_DELTA: ReadonlyMap<string, number> = new Map([
  ['mother', -1],
  ['father', -1],
  ['step-parent', -1],
  ["parent's partner", -1],
  ['aunt or uncle', -1],
  ['grandparent', -2],
  ['sibling', 0],
  ['half-sibling', 0],
  ['step-sibling', 0],
  ['cousin', 0],
  ...[...PARTNER_KINDS].map((kind) => [kind, 0] as const),
]);

const KIND_ORDER = [
  'mother',
  'father',
  'step-parent',
  "parent's partner",
  'sibling',
  'half-sibling',
  'step-sibling',
  'grandparent',
  'aunt or uncle',
  'cousin',
  ...PARTNER_KINDS,
  'kinship carer',
  'foster carer',
  'former foster carer',
  'friend of the family',
  'other',
];

function kindRank(kind: string): number {
  const index = KIND_ORDER.indexOf(kind);
  return index === -1 ? KIND_ORDER.length : index;
}

export function normaliseKind(kind: string): string {
  return kind
    .trim()
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ');
}

function bySex(sex: Sex | null, male: string, female: string, other: string): string {
  return sex === 'M' ? male : sex === 'F' ? female : other;
}

/** What the related person is to the person: "grandmother". */
export function kindLabel(kind: string, sex: Sex | null): string {
  switch (kind) {
    case 'step-parent':
      return bySex(sex, 'stepfather', 'stepmother', 'step-parent');
    case "parent's partner":
      return 'parent’s partner';
    case 'sibling':
      return bySex(sex, 'brother', 'sister', 'sibling');
    case 'half-sibling':
      return bySex(sex, 'half-brother', 'half-sister', 'half-sibling');
    case 'step-sibling':
      return bySex(sex, 'stepbrother', 'stepsister', 'step-sibling');
    case 'grandparent':
      return bySex(sex, 'grandfather', 'grandmother', 'grandparent');
    case 'aunt or uncle':
      return bySex(sex, 'uncle', 'aunt', 'aunt or uncle');
    case 'spouse':
      return bySex(sex, 'husband', 'wife', 'spouse');
    default:
      return kind;
  }
}

/** What the person is to the related person: "granddaughter". */
export function inverseKindLabel(kind: string, sex: Sex | null): string {
  switch (kind) {
    case 'mother':
    case 'father':
      return bySex(sex, 'son', 'daughter', 'child');
    case 'step-parent':
      return bySex(sex, 'stepson', 'stepdaughter', 'stepchild');
    case "parent's partner":
      return 'partner’s child';
    case 'grandparent':
      return bySex(sex, 'grandson', 'granddaughter', 'grandchild');
    case 'aunt or uncle':
      return bySex(sex, 'nephew', 'niece', 'niece or nephew');
    case 'kinship carer':
      return 'child in their kinship care';
    case 'foster carer':
      return 'child in their foster care';
    case 'former foster carer':
      return 'child formerly in their foster care';
    case 'husband':
    case 'wife':
      return 'spouse';
    default:
      return kindLabel(kind, sex);
  }
}

const PROFESSIONAL_ROLES: Readonly<Record<string, string>> = {
  school: 'School',
  gp: 'GP',
  'health visitor': 'Health visitor',
  'school nurse': 'School nurse',
  camhs: 'CAMHS',
  'youth worker': 'Youth worker',
  other: 'Other professional',
};

export function professionalRoleLabel(role: string): string {
  return PROFESSIONAL_ROLES[role.trim().toLowerCase()] ?? capitalise(role.trim());
}

// ---------------------------------------------------------------------------------------------
// The family model shared by the genogram, its table and the ecomap

type Model = {
  readonly focus: MapPerson;
  readonly people: ReadonlyMap<string, MapPerson>;
  /** Deterministic order of people: date of birth, then name, then id. */
  readonly rank: ReadonlyMap<string, number>;
  readonly rels: readonly Rel[];
  readonly edges: ReadonlyMap<string, readonly Edge[]>;
  /** Breadth-first order from the child over every relationship, then everyone else by rank. */
  readonly discovery: ReadonlyMap<string, number>;
  /** The relationship to the child, in words, for everyone. */
  readonly phrase: ReadonlyMap<string, string>;
  readonly today: string;
};

function isEnded(endedOn: string | null, today: string): boolean {
  return endedOn !== null && endedOn.slice(0, 10) <= today;
}

function personSort(a: MapPerson, b: MapPerson): number {
  const dobA = a.dateOfBirth ?? '9999';
  const dobB = b.dateOfBirth ?? '9999';
  return (
    compare(dobA, dobB) ||
    compare(a.familyName, b.familyName) ||
    compare(a.givenName, b.givenName) ||
    compare(a.id, b.id)
  );
}

function buildModel(input: FamilyMapInput): Model {
  const people = new Map<string, MapPerson>();
  for (const person of [...input.people].sort((a, b) => compare(a.id, b.id))) {
    if (!people.has(person.id)) people.set(person.id, person);
  }
  const focus = people.get(input.focusId);
  if (!focus) throw new Error('The child is not among the people given');
  const rank = new Map([...people.values()].sort(personSort).map((p, index) => [p.id, index]));
  const rankOf = (id: string) => rank.get(id) ?? Number.MAX_SAFE_INTEGER;

  const seen = new Set<string>();
  const rels: Rel[] = [];
  for (const r of [...input.relationships].sort(
    (a, b) =>
      compare(a.personId, b.personId) ||
      compare(a.relatedPersonId, b.relatedPersonId) ||
      compare(normaliseKind(a.kind), normaliseKind(b.kind)) ||
      compare(a.id, b.id),
  )) {
    const kind = normaliseKind(r.kind);
    const key = `${r.personId} ${r.relatedPersonId} ${kind}`;
    if (r.personId === r.relatedPersonId || !people.has(r.personId) || !people.has(r.relatedPersonId))
      continue;
    if (seen.has(key)) continue;
    seen.add(key);
    rels.push({
      id: r.id,
      from: r.personId,
      to: r.relatedPersonId,
      kind,
      ended: isEnded(r.endedOn, input.today),
      endedOn: r.endedOn,
      parentalResponsibility: r.parentalResponsibility,
      inFamilyNetwork: r.inFamilyNetwork,
    });
  }

  const edges = new Map<string, Edge[]>();
  for (const id of people.keys()) edges.set(id, []);
  for (const rel of rels) {
    edges.get(rel.from)?.push({ other: rel.to, rel, forward: true });
    edges.get(rel.to)?.push({ other: rel.from, rel, forward: false });
  }
  for (const list of edges.values()) {
    list.sort(
      (a, b) =>
        Number(b.forward) - Number(a.forward) ||
        kindRank(a.rel.kind) - kindRank(b.rel.kind) ||
        rankOf(a.other) - rankOf(b.other) ||
        compare(a.rel.id, b.rel.id),
    );
  }

  // Relationship to the child: the direct relationships when there are any; else what the recorded
  // parents show (sister, half-brother, mother's sister, cousin); else the shortest path in words.
  const sexOf = (id: string) => people.get(id)?.sex ?? null;
  const hop = (edge: Edge) =>
    edge.forward
      ? kindLabel(edge.rel.kind, sexOf(edge.other))
      : inverseKindLabel(edge.rel.kind, sexOf(edge.other));
  const parentsOf = new Map<string, string[]>();
  for (const rel of rels) {
    if (PARENT_KINDS.has(rel.kind)) parentsOf.set(rel.from, [...(parentsOf.get(rel.from) ?? []), rel.to]);
  }
  const siblingWord = (x: string, y: string): string | undefined => {
    const recorded = rels.find(
      (r) =>
        ['sibling', 'half-sibling'].includes(r.kind) &&
        ((r.from === x && r.to === y) || (r.from === y && r.to === x)),
    );
    if (recorded) return kindLabel(recorded.kind, sexOf(x));
    const px = parentsOf.get(x) ?? [];
    const py = parentsOf.get(y) ?? [];
    const shared = px.filter((p) => py.includes(p)).length;
    if (shared === 0 || px.length !== 2 || py.length !== 2) return undefined;
    return kindLabel(shared === 2 ? 'sibling' : 'half-sibling', sexOf(x));
  };
  const focusParents = rels.filter((r) => r.from === focus.id && PARENT_KINDS.has(r.kind));
  const auntSide = new Map<string, string>();
  for (const rel of rels) if (rel.from === focus.id && rel.kind === 'aunt or uncle') auntSide.set(rel.to, '');
  const structural = (x: string): string | undefined => {
    const sibling = siblingWord(x, focus.id);
    if (sibling) return sibling;
    for (const parent of focusParents) {
      if (parent.to === x) continue;
      const word = siblingWord(x, parent.to);
      if (word) {
        auntSide.set(x, parent.kind);
        return `${parent.kind}’s ${word}`;
      }
    }
    for (const parent of parentsOf.get(x) ?? []) {
      const side = auntSide.get(parent);
      if (side !== undefined) return side ? `cousin (${side}’s side)` : 'cousin';
    }
    return undefined;
  };
  // "Mother’s sister’s husband" reads well; a longer chain does not.
  const composable = (p: string) =>
    (p.match(/’s /g)?.length ?? 0) < 2 &&
    !p.includes('(') &&
    !p.startsWith('related') &&
    !p.startsWith('the child');
  const phrase = new Map<string, string>([[focus.id, 'the child']]);
  const discovery = new Map<string, number>([[focus.id, 0]]);
  const queue = [focus.id];
  for (let i = 0; i < queue.length; i += 1) {
    const id = queue[i] ?? '';
    for (const edge of edges.get(id) ?? []) {
      if (discovery.has(edge.other)) continue;
      discovery.set(edge.other, discovery.size);
      queue.push(edge.other);
      if (id === focus.id) {
        const direct = (edges.get(focus.id) ?? []).filter((e) => e.other === edge.other);
        const words = [...new Set(direct.map(hop))];
        const joined =
          words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1) ?? ''}` : words.join('');
        phrase.set(edge.other, joined);
      } else {
        const known = structural(edge.other);
        const parentPhrase = phrase.get(id) ?? '';
        if (known) phrase.set(edge.other, known);
        else if (composable(parentPhrase)) phrase.set(edge.other, `${parentPhrase}’s ${hop(edge)}`);
        else phrase.set(edge.other, 'related through the family');
      }
    }
  }
  for (const id of [...people.keys()].sort((a, b) => rankOf(a) - rankOf(b))) {
    if (!discovery.has(id)) {
      discovery.set(id, discovery.size);
      phrase.set(id, 'no recorded relationship');
    }
  }
  return { focus, people, rank, rels, edges, discovery, phrase, today: input.today };
}

// ---------------------------------------------------------------------------------------------
// Genogram layout

type Unit = { members: string[]; left: number };

function generationLabel(generation: number | null): string {
  if (generation === null) return 'Not related by birth or partnership';
  switch (generation) {
    case -3:
      return 'Great-grandparents';
    case -2:
      return 'Grandparents';
    case -1:
      return 'Parents, aunts and uncles';
    case 0:
      return 'The child, brothers and sisters, cousins';
    case 1:
      return 'The child’s children';
    case 2:
      return 'The child’s grandchildren';
    default:
      return generation < 0
        ? `${-generation} generations above the child`
        : `${generation} generations below the child`;
  }
}

function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Computes where everyone goes. Exposed for tests; `drawGenogram` renders it. */
export function layoutGenogram(input: FamilyMapInput): GenogramLayout {
  return layoutFromModel(buildModel(input), input.households);
}

function layoutFromModel(model: Model, householdGroups: FamilyMapInput['households']): GenogramLayout {
  const { focus, people, rels, edges, discovery, rank } = model;
  const orderOf = (key: string): number => {
    if (key.startsWith('unknown:')) return (discovery.get(key.slice(8)) ?? 0) + 0.5;
    return discovery.get(key) ?? Number.MAX_SAFE_INTEGER;
  };

  // Generations: breadth-first from the child over the relationships that say how far apart.
  const generation = new Map<string, number>([[focus.id, 0]]);
  const queue = [focus.id];
  for (let i = 0; i < queue.length; i += 1) {
    const id = queue[i] ?? '';
    const g = generation.get(id) ?? 0;
    for (const edge of edges.get(id) ?? []) {
      const delta = GENERATION_DELTA.get(edge.rel.kind);
      if (delta === undefined || generation.has(edge.other)) continue;
      generation.set(edge.other, edge.forward ? g + delta : g - delta);
      queue.push(edge.other);
    }
  }

  // Parents drawn as such: mother and father relationships consistent with the generations.
  const parents = new Map<string, string[]>();
  for (const rel of rels) {
    if (!PARENT_KINDS.has(rel.kind)) continue;
    const gChild = generation.get(rel.from);
    if (gChild === undefined || generation.get(rel.to) !== gChild - 1) continue;
    const list = parents.get(rel.from) ?? [];
    if (!list.includes(rel.to)) list.push(rel.to);
    parents.set(rel.from, list);
  }
  for (const [child, list] of parents) {
    list.sort((a, b) => orderOf(a) - orderOf(b));
    parents.set(child, list.slice(0, 2));
  }
  // A full brother or sister with no parents recorded shares the recorded ones.
  for (let changed = true, guard = 0; changed && guard < people.size; guard += 1) {
    changed = false;
    for (const rel of rels) {
      if (rel.kind !== 'sibling' || generation.get(rel.from) !== generation.get(rel.to)) continue;
      if (generation.get(rel.from) === undefined) continue;
      const a = parents.get(rel.from);
      const b = parents.get(rel.to);
      if (a?.length && !b?.length) {
        parents.set(rel.to, [...a]);
        changed = true;
      } else if (b?.length && !a?.length) {
        parents.set(rel.from, [...b]);
        changed = true;
      }
    }
  }

  // Placed people: everyone with a generation; placeholders for parents not recorded.
  const rowOfGeneration = new Map<number, number>();
  const generations = [...new Set(generation.values())].sort((a, b) => a - b);
  generations.forEach((g, index) => rowOfGeneration.set(g, index));
  const nodeGeneration = new Map<string, number>(generation);

  const familyMap = new Map<string, { parents: [string, string]; children: string[] }>();
  for (const child of [...parents.keys()].sort((a, b) => orderOf(a) - orderOf(b))) {
    const list = parents.get(child) ?? [];
    const first = list[0];
    if (first === undefined) continue;
    let pair: [string, string];
    if (list.length >= 2) pair = [first, list[1] ?? ''];
    else {
      const placeholder = `unknown:${first}`;
      nodeGeneration.set(placeholder, nodeGeneration.get(first) ?? 0);
      pair = [first, placeholder];
    }
    pair.sort((a, b) => orderOf(a) - orderOf(b));
    const key = pair.join('+');
    const family = familyMap.get(key) ?? { parents: pair, children: [] };
    family.children.push(child);
    familyMap.set(key, family);
  }
  const families = [...familyMap.values()];
  for (const family of families) {
    family.children.sort((a, b) => {
      const pa = people.get(a);
      const pb = people.get(b);
      return pa && pb ? personSort(pa, pb) : compare(a, b);
    });
  }
  const familiesOfChild = new Map<string, (typeof families)[number][]>();
  const familiesOfParent = new Map<string, (typeof families)[number][]>();
  for (const family of families) {
    for (const child of family.children)
      familiesOfChild.set(child, [...(familiesOfChild.get(child) ?? []), family]);
    for (const parent of family.parents)
      familiesOfParent.set(parent, [...(familiesOfParent.get(parent) ?? []), family]);
  }

  // Couples.
  const householdOf = new Map<string, number>();
  householdGroups.forEach((group, index) => {
    for (const id of group) if (!householdOf.has(id)) householdOf.set(id, index);
  });
  const sameHousehold = (a: string, b: string) =>
    householdOf.has(a) && householdOf.get(a) === householdOf.get(b);
  const coupleMap = new Map<string, { a: string; b: string; sources: Rel[] }>();
  const addCouple = (x: string, y: string, source?: Rel) => {
    const [a, b] = [x, y].sort((p, q) => orderOf(p) - orderOf(q)) as [string, string];
    const key = `${a}+${b}`;
    const couple = coupleMap.get(key) ?? { a, b, sources: [] };
    if (source) couple.sources.push(source);
    coupleMap.set(key, couple);
  };
  for (const family of families) addCouple(family.parents[0], family.parents[1]);
  for (const rel of rels) {
    const g = generation.get(rel.from);
    if (PARTNER_KINDS.has(rel.kind) && g !== undefined && generation.get(rel.to) === g)
      addCouple(rel.from, rel.to, rel);
  }
  for (const rel of rels) {
    if (!PARENTS_PARTNER_KINDS.has(rel.kind)) continue;
    const partnerGeneration = generation.get(rel.to);
    const candidates = (parents.get(rel.from) ?? []).filter(
      (p) => p !== rel.to && generation.get(p) === partnerGeneration,
    );
    if (candidates.length === 0) continue;
    const partnered = (p: string) =>
      rels.some(
        (r) =>
          PARTNER_KINDS.has(r.kind) &&
          ((r.from === p && r.to === rel.to) || (r.to === p && r.from === rel.to)),
      );
    const chosen =
      candidates.find((p) => sameHousehold(p, rel.to)) ??
      candidates.find(partnered) ??
      candidates.find((p) => sameHousehold(p, rel.from)) ??
      candidates[0] ??
      '';
    addCouple(chosen, rel.to, rel);
  }
  // A couple is ended when every relationship that joins them has ended.
  for (const couple of coupleMap.values()) {
    for (const rel of rels) {
      if (!PARTNER_KINDS.has(rel.kind)) continue;
      const joins =
        (rel.from === couple.a && rel.to === couple.b) || (rel.from === couple.b && rel.to === couple.a);
      if (joins && !couple.sources.includes(rel)) couple.sources.push(rel);
    }
  }
  const couples: GenogramCouple[] = [...coupleMap.values()]
    .map((c) => ({ a: c.a, b: c.b, ended: c.sources.length > 0 && c.sources.every((s) => s.ended) }))
    .sort((p, q) => orderOf(p.a) - orderOf(q.a) || orderOf(p.b) - orderOf(q.b));
  const partnersOf = new Map<string, string[]>();
  for (const c of couples) {
    partnersOf.set(c.a, [...(partnersOf.get(c.a) ?? []), c.b]);
    partnersOf.set(c.b, [...(partnersOf.get(c.b) ?? []), c.a]);
  }

  // Rows of units: a unit is one person, or a chain of partners kept side by side.
  const rowCount = generations.length;
  const rowUnits: Unit[][] = generations.map(() => []);
  const unitOf = new Map<string, Unit>();
  const nodeKeys = [...nodeGeneration.keys()].sort((a, b) => orderOf(a) - orderOf(b));
  for (const key of nodeKeys) {
    if (unitOf.has(key)) continue;
    const component: string[] = [];
    const stack = [key];
    const inComponent = new Set([key]);
    while (stack.length > 0) {
      const current = stack.pop() ?? '';
      component.push(current);
      for (const partner of partnersOf.get(current) ?? []) {
        if (!inComponent.has(partner)) {
          inComponent.add(partner);
          stack.push(partner);
        }
      }
    }
    const members = chainOrder(component, partnersOf, orderOf);
    const unit: Unit = { members, left: 0 };
    for (const member of members) unitOf.set(member, unit);
    rowUnits[rowOfGeneration.get(nodeGeneration.get(key) ?? 0) ?? 0]?.push(unit);
  }
  const pack = (units: Unit[]) => {
    let left = 0;
    for (const unit of units) {
      unit.left = left;
      left += unit.members.length * SLOT + UNIT_GAP;
    }
  };
  for (const units of rowUnits) pack(units);

  const xOf = (key: string): number => {
    const unit = unitOf.get(key);
    if (!unit) return 0;
    return unit.left + SLOT / 2 + unit.members.indexOf(key) * SLOT;
  };
  const anchorX = (family: { parents: readonly [string, string] }): number => {
    const unit = unitOf.get(family.parents[0]);
    if (!unit || unit !== unitOf.get(family.parents[1])) return mean(family.parents.map(xOf));
    const i = unit.members.indexOf(family.parents[0]);
    const j = unit.members.indexOf(family.parents[1]);
    let mid = (i + j) / 2;
    if (Number.isInteger(mid)) mid += 0.5;
    return unit.left + SLOT / 2 + mid * SLOT;
  };
  const rowOf = (key: string) => rowOfGeneration.get(nodeGeneration.get(key) ?? 0) ?? 0;
  const related = (key: string, targetRow: number) =>
    (edges.get(key) ?? [])
      .filter((e) => nodeGeneration.has(e.other) && rowOf(e.other) === targetRow)
      .map((e) => e.other);

  /** Where a node would like to be, judged from the row above (up) or below (down). */
  const targets = (key: string, direction: 'up' | 'down'): number[] => {
    // A placeholder has no pull of its own: its partner's family decides.
    if (key.startsWith('unknown:')) return [];
    // Under the parents' couple line; or the couple line over the middle of the children.
    const structural =
      direction === 'up'
        ? (familiesOfChild.get(key) ?? []).map(anchorX)
        : (familiesOfParent.get(key) ?? []).map((f) => mean(f.children.map(xOf)) - (anchorX(f) - xOf(key)));
    if (structural.length > 0) return structural;
    // Someone not joined by a line (an aunt with no grandparents recorded) sits near their relatives.
    return related(key, rowOf(key) + (direction === 'up' ? -1 : 1)).map(xOf);
  };
  const desiredLeft = (unit: Unit, directions: readonly ('up' | 'down')[]): number | undefined => {
    const values: number[] = [];
    unit.members.forEach((member, index) => {
      for (const direction of directions) {
        for (const t of targets(member, direction)) values.push(t - SLOT / 2 - index * SLOT);
      }
    });
    return values.length > 0 ? mean(values) : undefined;
  };

  // Positions: each unit as near as it can be to where its relatives pull it, never overlapping.
  const place = (units: Unit[], desired: (number | undefined)[]) => {
    const width = (u: Unit) => u.members.length * SLOT + UNIT_GAP;
    const want = units.map((u, i) => desired[i] ?? u.left);
    const fromLeft: number[] = [];
    units.forEach((u, i) => {
      const previous = units[i - 1];
      const floor = previous ? (fromLeft[i - 1] ?? 0) + width(previous) : -Infinity;
      fromLeft.push(Math.max(want[i] ?? 0, floor));
    });
    const fromRight: number[] = new Array<number>(units.length).fill(0);
    for (let i = units.length - 1; i >= 0; i -= 1) {
      const u = units[i];
      if (!u) continue;
      const ceiling = i + 1 < units.length ? (fromRight[i + 1] ?? 0) - width(u) : Infinity;
      fromRight[i] = Math.min(want[i] ?? 0, ceiling);
    }
    units.forEach((u, i) => {
      const previous = units[i - 1];
      const average = ((fromLeft[i] ?? 0) + (fromRight[i] ?? 0)) / 2;
      u.left = previous ? Math.max(average, previous.left + width(previous)) : average;
    });
  };
  // Order each row by the barycentre of the row above, then below, a few times over.
  const sortRow = (row: number, direction: 'up' | 'down') => {
    const units = rowUnits[row];
    if (!units) return;
    for (const unit of units) {
      if (unit.members.length < 2) continue;
      const cost = (members: readonly string[]) => {
        let total = 0;
        members.forEach((member, index) => {
          for (const t of targets(member, direction))
            total += Math.abs(t - (unit.left + SLOT / 2 + index * SLOT));
        });
        return total;
      };
      const reversed = [...unit.members].reverse();
      if (cost(reversed) < cost(unit.members)) unit.members = reversed;
    }
    const keyed = units.map((unit) => {
      const half = (unit.members.length * SLOT) / 2;
      // Parents decide where someone goes; children only when no parents are drawn.
      const pulls = (direction: 'up' | 'down') => unit.members.flatMap((m) => targets(m, direction));
      const up = pulls('up');
      const down = up.length > 0 ? up : pulls('down');
      let centre = down.length > 0 ? mean(down) : undefined;
      if (centre === undefined) {
        const sameRow = unit.members.flatMap((m) => related(m, row)).filter((o) => unitOf.get(o) !== unit);
        centre = sameRow.length > 0 ? mean(sameRow.map(xOf)) + 1 : unit.left + half;
      }
      // Brothers and sisters under one couple line go oldest first.
      const ranks = unit.members.flatMap((m) => rank.get(m) ?? []);
      return {
        unit,
        centre,
        order: ranks.length > 0 ? Math.min(...ranks) : Math.min(...unit.members.map(orderOf)),
      };
    });
    keyed.sort((a, b) => a.centre - b.centre || a.order - b.order);
    const sorted = keyed.map((k) => k.unit);
    rowUnits[row] = sorted;
    place(
      sorted,
      sorted.map((u) => desiredLeft(u, ['up', 'down'])),
    );
  };
  for (let pass = 0; pass < 4; pass += 1) {
    for (let row = 1; row < rowCount; row += 1) sortRow(row, 'up');
    for (let row = rowCount - 2; row >= 0; row -= 1) sortRow(row, 'down');
  }

  for (let pass = 0; pass < 12; pass += 1) {
    const rows = [...Array(rowCount).keys()];
    if (pass % 2 === 1) rows.reverse();
    for (const row of rows) {
      const units = rowUnits[row] ?? [];
      place(
        units,
        units.map((u) => desiredLeft(u, ['up', 'down'])),
      );
    }
  }

  // People with no generation (friends, carers, anyone not related by birth or partnership).
  const others = [...people.keys()]
    .filter((id) => !generation.has(id))
    .sort((a, b) => orderOf(a) - orderOf(b));
  const otherUnits: Unit[] = others.map((id) => ({ members: [id], left: 0 }));
  if (otherUnits.length > 0) {
    const startAt = Math.min(...rowUnits.flat().map((u) => u.left));
    pack(otherUnits);
    for (const unit of otherUnits) {
      unit.left += startAt;
      unitOf.set(unit.members[0] ?? '', unit);
    }
    rowUnits.push(otherUnits);
  }

  // Normalise to the margin and round.
  const allUnits = rowUnits.flat();
  const minLeft = Math.min(...allUnits.map((u) => u.left));
  const shift = MARGIN - (minLeft + (SLOT - NODE_WIDTH) / 2) + 10;
  const nodes = new Map<string, PlacedNode>();
  const rows: GenogramRow[] = rowUnits.map((units, row) => {
    const top = MARGIN + row * ROW_HEIGHT;
    const keys: string[] = [];
    for (const unit of units) {
      unit.left = Math.round(unit.left + shift);
      unit.members.forEach((key, index) => {
        keys.push(key);
        nodes.set(key, {
          key,
          personId: key.startsWith('unknown:') ? null : key,
          row,
          x: unit.left + SLOT / 2 + index * SLOT,
          y: top,
        });
      });
    }
    const g = row < rowCount ? (generations[row] ?? null) : null;
    return { generation: g, label: generationLabel(g), top, keys };
  });
  const maxRight = Math.max(...[...nodes.values()].map((n) => n.x + NODE_WIDTH / 2));
  const width = Math.max(360, Math.round(maxRight + MARGIN + 10));
  const height = MARGIN + (rows.length - 1) * ROW_HEIGHT + 130 + MARGIN;

  // Households: the child's first, then in order of who was found first.
  const households = householdGroups
    .map((group) => [...new Set(group)].filter((id) => nodes.has(id) && !people.get(id)?.restricted))
    .filter((members) => members.length >= 2)
    .map((members) => members.sort((a, b) => orderOf(a) - orderOf(b)))
    .sort(
      (a, b) =>
        Number(b.includes(focus.id)) - Number(a.includes(focus.id)) ||
        orderOf(a[0] ?? '') - orderOf(b[0] ?? ''),
    )
    .map((members, index) => ({
      label:
        index === 0 && members.includes(focus.id)
          ? 'Household 1 (the child’s home)'
          : `Household ${index + 1}`,
      members,
    }));

  return {
    width,
    height,
    rows,
    nodes,
    couples,
    families: families.map((f) => ({ parents: f.parents, children: [...f.children] })),
    households,
  };
}

/** Orders a chain of partners: along the path when it is one, else depth-first from an end. */
function chainOrder(
  component: string[],
  partnersOf: ReadonlyMap<string, string[]>,
  orderOf: (key: string) => number,
): string[] {
  if (component.length === 1) return component;
  const byOrder = [...component].sort((a, b) => orderOf(a) - orderOf(b));
  const degree = (key: string) => (partnersOf.get(key) ?? []).length;
  const start = byOrder.find((key) => degree(key) === 1) ?? byOrder[0] ?? '';
  const result: string[] = [];
  const visited = new Set<string>();
  const visit = (key: string) => {
    visited.add(key);
    result.push(key);
    for (const next of [...(partnersOf.get(key) ?? [])].sort((a, b) => orderOf(a) - orderOf(b))) {
      if (!visited.has(next)) visit(next);
    }
  };
  visit(start);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Genogram SVG

const INK = '#0b0c0c';
const SECONDARY = '#505a5f';
const BLUE = '#1d70b8';
const GREY_FILL = '#f3f2f1';

function ageOn(dateOfBirth: string, today: string): number | undefined {
  const [by, bm, bd] = dateOfBirth.slice(0, 10).split('-').map(Number);
  const [ty, tm, td] = today.slice(0, 10).split('-').map(Number);
  if (
    by === undefined ||
    bm === undefined ||
    bd === undefined ||
    ty === undefined ||
    tm === undefined ||
    td === undefined
  ) {
    return undefined;
  }
  const age = ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
  return age >= 0 ? age : undefined;
}

function yearsLine(person: MapPerson): string {
  const born = person.dateOfBirth?.slice(0, 4);
  const died = person.dateOfDeath?.slice(0, 4);
  if (born && died) return `${born} – ${died}`;
  if (born) return `Born ${born}`;
  if (died) return `Died ${died}`;
  return '';
}

function symbol(sex: Sex | null, x: number, cy: number, grow: number, attrs: string): string {
  const h = HALF + grow;
  if (sex === 'M')
    return `<rect x="${num(x - h)}" y="${num(cy - h)}" width="${num(2 * h)}" height="${num(2 * h)}" ${attrs}/>`;
  if (sex === 'F') return `<circle cx="${num(x)}" cy="${num(cy)}" r="${num(h)}" ${attrs}/>`;
  const d = h + 3;
  return `<polygon points="${num(x)},${num(cy - d)} ${num(x + d)},${num(cy)} ${num(x)},${num(cy + d)} ${num(x - d)},${num(cy)}" ${attrs}/>`;
}

function textLines(
  lines: readonly { text: string; size: number; bold?: boolean; fill?: string }[],
  x: number,
  top: number,
): string {
  let y = top;
  let out = '';
  for (const line of lines) {
    out += `<text x="${num(x)}" y="${num(y)}" text-anchor="middle" font-size="${line.size}"${line.bold ? ' font-weight="bold"' : ''} fill="${line.fill ?? INK}">${escapeXml(line.text)}</text>`;
    y += line.size + 3;
  }
  return out;
}

function drawNode(model: Model, node: PlacedNode): string {
  const cy = node.y + SYMBOL_CY;
  if (node.personId === null) {
    return (
      `<g class="app-genogram__person app-genogram__person--not-recorded"><title>Parent not recorded</title>` +
      symbol('U', node.x, cy, 0, `fill="#ffffff" stroke="${SECONDARY}" stroke-width="2"`) +
      `<text x="${num(node.x)}" y="${num(cy + 5)}" text-anchor="middle" font-size="14" fill="${SECONDARY}">?</text>` +
      textLines([{ text: 'Parent not recorded', size: 11, fill: SECONDARY }], node.x, node.y + 70) +
      `</g>`
    );
  }
  const person = model.people.get(node.personId);
  if (!person) return '';
  const isFocus = person.id === model.focus.id;
  const name = fullName(person);
  const relationship = capitalise(model.phrase.get(person.id) ?? '');
  const sex = person.restricted ? null : person.sex;
  const deceased = !person.restricted && person.dateOfDeath !== null;
  let out = `<g class="app-genogram__person${isFocus ? ' app-genogram__person--child' : ''}" data-person-id="${escapeXml(person.id)}">`;
  out += `<title>${escapeXml(`${name}: ${relationship}`)}</title>`;
  if (isFocus) out += symbol(sex, node.x, cy, 5, `fill="#ffffff" stroke="${INK}" stroke-width="2"`);
  out += symbol(
    sex,
    node.x,
    cy,
    0,
    `fill="${person.restricted ? GREY_FILL : '#ffffff'}" stroke="${INK}" stroke-width="2"`,
  );
  if (deceased) {
    const c = HALF + 6;
    out += `<path d="M${num(node.x - c)} ${num(cy - c)}L${num(node.x + c)} ${num(cy + c)}M${num(node.x + c)} ${num(cy - c)}L${num(node.x - c)} ${num(cy + c)}" stroke="${INK}" stroke-width="2"/>`;
  } else if (!person.restricted && person.dateOfBirth) {
    const age = ageOn(person.dateOfBirth, model.today);
    if (age !== undefined) {
      out += `<text x="${num(node.x)}" y="${num(cy + 5)}" text-anchor="middle" font-size="13" fill="${INK}">${age}</text>`;
    }
  }
  const lines: { text: string; size: number; bold?: boolean; fill?: string }[] = wrapText(name, 19, 2).map(
    (text) => ({
      text,
      size: 12,
      bold: isFocus,
    }),
  );
  for (const text of wrapText(relationship, 22, lines.length === 1 ? 2 : 1))
    lines.push({ text, size: 11, fill: SECONDARY });
  const dates = person.restricted ? 'Restricted record' : yearsLine(person);
  if (dates) lines.push({ text: dates, size: 11, fill: SECONDARY });
  out += textLines(lines, node.x, node.y + (isFocus ? 72 : 68));
  return `${out}</g>`;
}

/** The genogram as an SVG string, with role="img", a title and a description. */
export function drawGenogram(
  input: FamilyMapInput,
  options: { idPrefix?: string } = {},
): { svg: string; layout: GenogramLayout } {
  const model = buildModel(input);
  const layout = layoutFromModel(model, input.households);
  return { svg: renderGenogram(model, layout, options.idPrefix ?? 'genogram'), layout };
}

function renderGenogram(model: Model, layout: GenogramLayout, prefix: string): string {
  const { nodes, rows } = layout;
  const parts: string[] = [];
  const name = fullName(model.focus);
  const peopleCount = [...nodes.values()].filter((n) => n.personId !== null).length;
  const generationCount = rows.filter((r) => r.generation !== null).length;
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="app-genogram" role="img" aria-labelledby="${prefix}-title ${prefix}-desc" ` +
      `viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}" font-family="arial, sans-serif">`,
    `<title id="${prefix}-title">${escapeXml(`Genogram of ${name}’s family`)}</title>`,
    `<desc id="${prefix}-desc">${escapeXml(
      `${peopleCount} ${peopleCount === 1 ? 'person' : 'people'} over ${generationCount} ${generationCount === 1 ? 'generation' : 'generations'}. ` +
        'The table after the picture lists everyone and their relationship to the child.',
    )}</desc>`,
  );

  // Households, behind everything else.
  for (const household of layout.households) {
    const byRow = new Map<number, number[]>();
    for (const id of household.members) {
      const node = nodes.get(id);
      if (!node) continue;
      const index = rows[node.row]?.keys.indexOf(id) ?? -1;
      byRow.set(node.row, [...(byRow.get(node.row) ?? []), index]);
    }
    const runs: { row: number; left: number; right: number }[] = [];
    for (const [row, indices] of [...byRow].sort((a, b) => a[0] - b[0])) {
      indices.sort((a, b) => a - b);
      let start = 0;
      for (let i = 1; i <= indices.length; i += 1) {
        if (i === indices.length || (indices[i] ?? 0) !== (indices[i - 1] ?? 0) + 1) {
          const keys = rows[row]?.keys ?? [];
          const first = nodes.get(keys[indices[start] ?? 0] ?? '');
          const last = nodes.get(keys[indices[i - 1] ?? 0] ?? '');
          if (first && last) runs.push({ row, left: first.x - 72, right: last.x + 72 });
          start = i;
        }
      }
    }
    const stacked =
      runs.length > 1 &&
      runs.every((run, i) => {
        const previous = runs[i - 1];
        if (!previous) return true;
        return (
          run.row === previous.row + 1 &&
          Math.max(run.left, previous.left) < Math.min(run.right, previous.right)
        );
      });
    const attrs = `fill="none" stroke="${BLUE}" stroke-width="2" stroke-dasharray="2 4"`;
    const top = (row: number) => (rows[row]?.top ?? 0) + 2;
    const bottom = (row: number) => (rows[row]?.top ?? 0) + 122;
    parts.push(`<g class="app-genogram__household"><title>${escapeXml(household.label)}</title>`);
    if (stacked) {
      // Down the right-hand side row by row, then back up the left.
      const right: string[] = [];
      const leftUp: string[] = [];
      runs.forEach((run, i) => {
        const next = runs[i + 1];
        const y1 = next ? top(next.row) : bottom(run.row);
        right.push(`${num(run.right)},${num(top(run.row))}`, `${num(run.right)},${num(y1)}`);
        leftUp.unshift(`${num(run.left)},${num(y1)}`, `${num(run.left)},${num(top(run.row))}`);
      });
      parts.push(`<polygon points="${[...right, ...leftUp].join(' ')}" ${attrs}/>`);
    } else {
      for (const run of runs) {
        parts.push(
          `<rect x="${num(run.left)}" y="${num(top(run.row))}" width="${num(run.right - run.left)}" height="${num(bottom(run.row) - top(run.row))}" rx="8" ${attrs}/>`,
        );
      }
    }
    // One label over a single outline; one over each piece when the household had to be split.
    for (const run of stacked ? runs.slice(0, 1) : runs) {
      parts.push(
        `<text x="${num(run.left + 4)}" y="${num(top(run.row) - 4)}" font-size="11" fill="${BLUE}">${escapeXml(household.label)}</text>`,
      );
    }
    parts.push('</g>');
  }

  // Couples: a line between adjacent partners at mid-symbol, or a bracket over anyone between them.
  const bracketsInRow = new Map<number, number>();
  const coupleAnchor = new Map<string, { x: number; y: number }>();
  for (const couple of layout.couples) {
    const a = nodes.get(couple.a);
    const b = nodes.get(couple.b);
    if (!a || !b) continue;
    const [left, right] = a.x <= b.x ? [a, b] : [b, a];
    const dash = couple.ended ? ' stroke-dasharray="8 5"' : '';
    const cls = `app-genogram__couple${couple.ended ? ' app-genogram__couple--ended' : ''}`;
    const adjacent = Math.abs(right.x - left.x) <= SLOT + 1 && left.row === right.row;
    if (adjacent) {
      const y = left.y + SYMBOL_CY;
      parts.push(
        `<path class="${cls}" d="M${num(left.x + HALF + 3)} ${num(y)}H${num(right.x - HALF - 3)}" stroke="${INK}" stroke-width="2" fill="none"${dash}/>`,
      );
      coupleAnchor.set(`${couple.a}+${couple.b}`, { x: (left.x + right.x) / 2, y });
    } else {
      const level = bracketsInRow.get(left.row) ?? 0;
      bracketsInRow.set(left.row, level + 1);
      const y = left.y + 4 - level * 5;
      parts.push(
        `<path class="${cls}" d="M${num(left.x)} ${num(left.y + SYMBOL_CY - HALF - 3)}V${num(y)}H${num(right.x)}V${num(right.y + SYMBOL_CY - HALF - 3)}" stroke="${INK}" stroke-width="2" fill="none"${dash}/>`,
      );
      let mid = (left.x + right.x) / 2;
      if ([...nodes.values()].some((n) => n.row === left.row && Math.abs(n.x - mid) < SLOT / 2 - 1))
        mid += SLOT / 2;
      coupleAnchor.set(`${couple.a}+${couple.b}`, { x: mid, y });
    }
  }

  // Children hang from their parents' couple line.
  const familiesInRow = new Map<number, number>();
  for (const family of layout.families) {
    const anchor =
      coupleAnchor.get(`${family.parents[0]}+${family.parents[1]}`) ??
      coupleAnchor.get(`${family.parents[1]}+${family.parents[0]}`);
    const parent = nodes.get(family.parents[0]);
    if (!anchor || !parent) continue;
    const children = family.children.map((c) => nodes.get(c)).filter((n): n is PlacedNode => n !== undefined);
    if (children.length === 0) continue;
    const level = familiesInRow.get(parent.row) ?? 0;
    familiesInRow.set(parent.row, level + 1);
    const barY = parent.y + 132 + (level % 5) * 8;
    const xs = [anchor.x, ...children.map((c) => c.x)];
    let d = `M${num(anchor.x)} ${num(anchor.y)}V${num(barY)}M${num(Math.min(...xs))} ${num(barY)}H${num(Math.max(...xs))}`;
    const endedDrops: string[] = [];
    for (const child of children) {
      const ended = model.rels.some(
        (r) => PARENT_KINDS.has(r.kind) && r.from === child.key && family.parents.includes(r.to) && r.ended,
      );
      const drop = `M${num(child.x)} ${num(barY)}V${num(child.y + SYMBOL_CY - HALF - (child.key === model.focus.id ? 8 : 3))}`;
      if (ended) endedDrops.push(drop);
      else d += drop;
    }
    parts.push(`<path class="app-genogram__descent" d="${d}" stroke="${INK}" stroke-width="2" fill="none"/>`);
    if (endedDrops.length > 0) {
      parts.push(
        `<path class="app-genogram__descent app-genogram__descent--ended" d="${endedDrops.join('')}" stroke="${INK}" stroke-width="2" fill="none" stroke-dasharray="8 5"/>`,
      );
    }
  }

  const othersRow = rows.find((r) => r.generation === null);
  if (othersRow && rows.length > 1) {
    parts.push(
      `<text x="${MARGIN}" y="${num(othersRow.top - 12)}" font-size="12" font-weight="bold" fill="${SECONDARY}">${escapeXml(othersRow.label)}</text>`,
    );
  }
  for (const row of rows) {
    for (const key of row.keys) {
      const node = nodes.get(key);
      if (node) parts.push(drawNode(model, node));
    }
  }
  parts.push('</svg>');
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------
// The text alternative

/** Everyone in the genogram, the child first, then in order of closeness. */
export function describeFamily(input: FamilyMapInput): FamilyMember[] {
  const model = buildModel(input);
  return describeFromModel(model, layoutFromModel(model, input.households));
}

function describeFromModel(model: Model, layout: GenogramLayout): FamilyMember[] {
  const householdLabel = new Map<string, string>();
  for (const household of layout.households)
    for (const id of household.members) householdLabel.set(id, household.label);
  const ids = [...model.people.keys()].sort(
    (a, b) => (model.discovery.get(a) ?? 0) - (model.discovery.get(b) ?? 0),
  );
  return ids.map((id) => {
    const person = model.people.get(id) as MapPerson;
    const isChild = id === model.focus.id;
    const direct = model.rels.filter((r) => r.from === model.focus.id && r.to === id);
    const endedOn =
      direct.length > 0 && direct.every((r) => r.ended)
        ? direct
            .map((r) => r.endedOn ?? '')
            .sort()
            .at(-1)
        : undefined;
    let relationship = capitalise(model.phrase.get(id) ?? '');
    if (endedOn) relationship += ` (ended ${formatDate(endedOn)})`;
    let dates: string | null = null;
    if (!person.restricted) {
      const parts: string[] = [];
      if (person.dateOfBirth) parts.push(`Born ${formatDate(person.dateOfBirth)}`);
      if (person.dateOfDeath)
        parts.push(`${parts.length ? 'died' : 'Died'} ${formatDate(person.dateOfDeath)}`);
      dates = parts.length > 0 ? parts.join(', ') : 'Not known';
    }
    return {
      id,
      name: fullName(person),
      isChild,
      relationship,
      dates,
      restricted: person.restricted,
      parentalResponsibility: isChild ? null : direct.some((r) => r.parentalResponsibility && !r.ended),
      inFamilyNetwork: isChild ? null : direct.some((r) => r.inFamilyNetwork),
      household: householdLabel.get(id) ?? null,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Ecomap

const ECO_BOX_W = 140;
const ECO_BOX_H = 58;

/** The child's family network and the professionals involved, around the child. */
export function ecomapConnections(input: FamilyMapInput): EcomapConnection[] {
  return connectionsFromModel(buildModel(input), input.professionals ?? []);
}

function connectionsFromModel(model: Model, professionals: readonly MapProfessional[]): EcomapConnection[] {
  const network = new Map<string, Rel[]>();
  for (const rel of model.rels) {
    if (rel.from === model.focus.id && rel.inFamilyNetwork)
      network.set(rel.to, [...(network.get(rel.to) ?? []), rel]);
  }
  const family: EcomapConnection[] = [...network]
    .sort((a, b) => (model.discovery.get(a[0]) ?? 0) - (model.discovery.get(b[0]) ?? 0))
    .map(([id, list]) => {
      const person = model.people.get(id) as MapPerson;
      return {
        kind: 'family',
        id,
        name: fullName(person),
        label: capitalise(model.phrase.get(id) ?? ''),
        organisation: null,
        ended: list.every((r) => r.ended),
      };
    });
  const roleOrder = Object.keys(PROFESSIONAL_ROLES);
  const rankRole = (role: string) => {
    const i = roleOrder.indexOf(role.trim().toLowerCase());
    return i === -1 ? roleOrder.length : i;
  };
  const pros: EcomapConnection[] = [...professionals]
    .sort((a, b) => rankRole(a.role) - rankRole(b.role) || compare(a.name, b.name) || compare(a.id, b.id))
    .map((p) => ({
      kind: 'professional',
      id: p.id,
      name: p.name,
      label: professionalRoleLabel(p.role),
      organisation: p.organisation,
      ended: false,
    }));
  return [...family, ...pros];
}

/** The ecomap as an SVG string: the child at the centre, everyone else on a circle around. */
export function drawEcomap(
  input: FamilyMapInput,
  options: { idPrefix?: string } = {},
): { svg: string; connections: EcomapConnection[] } {
  const model = buildModel(input);
  const connections = connectionsFromModel(model, input.professionals ?? []);
  return { svg: renderEcomap(model, connections, options.idPrefix ?? 'ecomap'), connections };
}

function renderEcomap(model: Model, connections: readonly EcomapConnection[], prefix: string): string {
  const n = connections.length;
  // Neighbouring boxes at least 160 apart, so no two overlap.
  const radius = n <= 1 ? 200 : Math.max(200, Math.ceil(80 / Math.sin(Math.PI / n)));
  const width = 2 * radius + ECO_BOX_W + 2 * MARGIN;
  const height = 2 * radius + ECO_BOX_H + 2 * MARGIN;
  const cx = width / 2;
  const cy = height / 2;
  const name = fullName(model.focus);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="app-ecomap" role="img" aria-labelledby="${prefix}-title ${prefix}-desc" ` +
      `viewBox="0 0 ${num(width)} ${num(height)}" width="${num(width)}" height="${num(height)}" font-family="arial, sans-serif">`,
    `<title id="${prefix}-title">${escapeXml(`Ecomap of ${name}’s family network and professionals`)}</title>`,
    `<desc id="${prefix}-desc">${escapeXml(
      `${connections.filter((c) => c.kind === 'family').length} people in the family network and ` +
        `${connections.filter((c) => c.kind === 'professional').length} professionals involved. The list after the picture gives each connection.`,
    )}</desc>`,
  ];
  const placed = connections.map((connection, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(n, 1);
    return { connection, x: cx + radius * Math.cos(angle), y: cy + radius * Math.sin(angle) };
  });
  for (const { connection, x, y } of placed) {
    parts.push(
      `<path class="app-ecomap__line" d="M${num(cx)} ${num(cy)}L${num(x)} ${num(y)}" stroke="${INK}" stroke-width="2" fill="none"${connection.ended ? ' stroke-dasharray="8 5"' : ''}/>`,
    );
  }
  // The child.
  const childLines = wrapText(name, 20, 2);
  parts.push(
    `<g class="app-ecomap__child"><title>${escapeXml(name)}</title>` +
      `<rect x="${num(cx - 85)}" y="${num(cy - 40)}" width="170" height="80" rx="40" fill="#ffffff" stroke="${INK}" stroke-width="2"/>` +
      `<rect x="${num(cx - 79)}" y="${num(cy - 34)}" width="158" height="68" rx="34" fill="#ffffff" stroke="${INK}" stroke-width="2"/>` +
      textLines(
        childLines.map((text) => ({ text, size: 13, bold: true })),
        cx,
        cy + (childLines.length === 1 ? 5 : -3),
      ) +
      '</g>',
  );
  for (const { connection, x, y } of placed) {
    const professional = connection.kind === 'professional';
    const lines: { text: string; size: number; bold?: boolean; fill?: string }[] = [
      { text: wrapText(connection.label, 22, 1)[0] ?? '', size: 11, bold: true },
      { text: wrapText(connection.name, 21, 1)[0] ?? '', size: 12 },
    ];
    if (connection.organisation)
      lines.push({ text: wrapText(connection.organisation, 23, 1)[0] ?? '', size: 11, fill: SECONDARY });
    const title = [connection.label, connection.name, connection.organisation].filter(Boolean).join(': ');
    parts.push(
      `<g class="app-ecomap__${professional ? 'professional' : 'family'}"${professional ? '' : ` data-person-id="${escapeXml(connection.id)}"`}>` +
        `<title>${escapeXml(title)}</title>` +
        `<rect x="${num(x - ECO_BOX_W / 2)}" y="${num(y - ECO_BOX_H / 2)}" width="${ECO_BOX_W}" height="${ECO_BOX_H}" rx="${professional ? 4 : ECO_BOX_H / 2}" ` +
        `fill="${professional ? GREY_FILL : '#ffffff'}" stroke="${professional ? SECONDARY : INK}" stroke-width="2"/>` +
        textLines(lines, x, y - (lines.length === 3 ? 10 : 2)) +
        '</g>',
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Everything the family map page shows, from one analysis of the family. */
export function drawFamilyMap(input: FamilyMapInput): {
  genogram: { svg: string; layout: GenogramLayout };
  members: FamilyMember[];
  ecomap: { svg: string; connections: EcomapConnection[] };
} {
  const model = buildModel(input);
  const layout = layoutFromModel(model, input.households);
  const connections = connectionsFromModel(model, input.professionals ?? []);
  return {
    genogram: { svg: renderGenogram(model, layout, 'genogram'), layout },
    members: describeFromModel(model, layout),
    ecomap: { svg: renderEcomap(model, connections, 'ecomap'), connections },
  };
}
