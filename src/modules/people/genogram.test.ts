import { describe, expect, it } from 'vitest';
import {
  describeFamily,
  drawEcomap,
  drawFamilyMap,
  drawGenogram,
  escapeXml,
  layoutGenogram,
  NODE_WIDTH,
  wrapText,
  type FamilyMapInput,
  type MapPerson,
  type MapRelationship,
  type Sex,
} from './genogram.ts';

/** Builds a family by name: ids are derived from names so expectations read naturally. */
function familyBuilder() {
  const people: MapPerson[] = [];
  const relationships: MapRelationship[] = [];
  const id = (name: string) => `id-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return {
    id,
    person(name: string, sex: Sex | null, born: string | null, extra: Partial<MapPerson> = {}): string {
      const [given = name, ...rest] = name.split(' ');
      people.push({
        id: id(name),
        givenName: given,
        familyName: rest.join(' ') || 'Family',
        sex,
        dateOfBirth: born,
        dateOfDeath: null,
        restricted: false,
        ...extra,
      });
      return id(name);
    },
    /** `related` is <kind> of `person`. */
    rel(person: string, related: string, kind: string, extra: Partial<MapRelationship> = {}): void {
      relationships.push({
        id: `rel-${String(relationships.length).padStart(3, '0')}`,
        personId: person,
        relatedPersonId: related,
        kind,
        parentalResponsibility: false,
        inFamilyNetwork: false,
        startedOn: null,
        endedOn: null,
        ...extra,
      });
    },
    input(focusId: string, extra: Partial<FamilyMapInput> = {}): FamilyMapInput {
      return { focusId, people, relationships, households: [], today: '2026-11-25', ...extra };
    },
  };
}

/** Robin, with parents, a sister, a half-brother by mum's new partner, grandparents, an aunt and a cousin. */
function robinsFamily() {
  const f = familyBuilder();
  const robin = f.person('Robin', 'M', '2015-06-01');
  const mum = f.person('Alice', 'F', '1990-02-03');
  const dad = f.person('Brian', 'M', '1988-05-05');
  const carl = f.person('Carl', 'M', '1985-01-01');
  const erin = f.person('Erin', 'F', '2013-01-01');
  const dan = f.person('Dan', 'M', '2020-03-03');
  const gran = f.person('Gwen', 'F', '1960-01-01');
  const grandad = f.person('Harold', 'M', '1958-01-01', { dateOfDeath: '2020-01-01' });
  const aunt = f.person('Jo', 'F', '1993-01-01');
  const cousin = f.person('Kai', 'U', '2018-01-01');
  const baby = f.person('Lily', 'F', '2026-01-01');
  f.rel(robin, mum, 'mother', { parentalResponsibility: true, inFamilyNetwork: true });
  f.rel(robin, dad, 'father', { parentalResponsibility: true });
  f.rel(erin, mum, 'mother');
  f.rel(erin, dad, 'father');
  f.rel(robin, erin, 'sibling', { inFamilyNetwork: true });
  f.rel(dan, mum, 'mother');
  f.rel(dan, carl, 'father');
  f.rel(mum, dad, 'partner', { endedOn: '2018-01-01' });
  f.rel(mum, gran, 'mother');
  f.rel(mum, grandad, 'father');
  f.rel(aunt, gran, 'mother');
  f.rel(aunt, grandad, 'father');
  f.rel(cousin, aunt, 'mother');
  f.rel(baby, robin, 'father');
  return { f, robin, mum, dad, carl, erin, dan, gran, grandad, aunt, cousin, baby };
}

function nodeOf(layout: ReturnType<typeof layoutGenogram>, key: string) {
  const node = layout.nodes.get(key);
  if (!node) throw new Error(`${key} was not placed`);
  return node;
}

describe('layoutGenogram', () => {
  it('puts each generation on its own row: grandparents, parents, the child and siblings, the child’s children', () => {
    const fam = robinsFamily();
    const layout = layoutGenogram(fam.f.input(fam.robin));
    expect(layout.rows.map((r) => r.generation)).toEqual([-2, -1, 0, 1]);
    expect(layout.rows.map((r) => r.label)).toEqual([
      'Grandparents',
      'Parents, aunts and uncles',
      'The child, brothers and sisters, cousins',
      'The child’s children',
    ]);
    const rowOf = (id: string) => layout.rows[nodeOf(layout, id).row]?.generation;
    for (const id of [fam.gran, fam.grandad]) expect(rowOf(id)).toBe(-2);
    for (const id of [fam.mum, fam.dad, fam.carl, fam.aunt]) expect(rowOf(id)).toBe(-1);
    for (const id of [fam.robin, fam.erin, fam.dan, fam.cousin]) expect(rowOf(id)).toBe(0);
    expect(rowOf(fam.baby)).toBe(1);
    // Rows are stacked top to bottom with room between them.
    const tops = layout.rows.map((r) => r.top);
    expect(tops).toEqual([...tops].sort((a, b) => a - b));
    expect(new Set(tops).size).toBe(tops.length);
  });

  it('joins parents of the same child as a couple, side by side, with their children hanging below', () => {
    const fam = robinsFamily();
    const layout = layoutGenogram(fam.f.input(fam.robin));
    const couple = (a: string, b: string) =>
      layout.couples.find((c) => (c.a === a && c.b === b) || (c.a === b && c.b === a));
    expect(couple(fam.mum, fam.dad)).toMatchObject({ ended: true });
    expect(couple(fam.gran, fam.grandad)).toMatchObject({ ended: false });
    expect(couple(fam.mum, fam.carl)).toMatchObject({ ended: false });
    const mum = nodeOf(layout, fam.mum);
    const dad = nodeOf(layout, fam.dad);
    expect(mum.y).toBe(dad.y);
    expect(Math.abs(mum.x - dad.x)).toBe(150);

    const family = layout.families.find((f) => f.parents.includes(fam.mum) && f.parents.includes(fam.dad));
    expect(family?.children).toEqual([fam.erin, fam.robin]); // oldest first
    // Erin is to the left of Robin, and the pair sits under their parents' line.
    const erin = nodeOf(layout, fam.erin);
    const robin = nodeOf(layout, fam.robin);
    expect(erin.x).toBeLessThan(robin.x);
    const midpoint = (mum.x + dad.x) / 2;
    expect(Math.min(erin.x, robin.x)).toBeLessThanOrEqual(midpoint + 150);
    expect(Math.max(erin.x, robin.x)).toBeGreaterThanOrEqual(midpoint - 150);
  });

  it('draws half-siblings as children of different couples sharing one parent', () => {
    const fam = robinsFamily();
    const layout = layoutGenogram(fam.f.input(fam.robin));
    const withDad = layout.families.find((f) => f.parents.includes(fam.mum) && f.parents.includes(fam.dad));
    const withCarl = layout.families.find((f) => f.parents.includes(fam.mum) && f.parents.includes(fam.carl));
    expect(withDad?.children).toContain(fam.robin);
    expect(withCarl?.children).toEqual([fam.dan]);
    // Mum sits between her two partners, and each child is on the side of their own father.
    const [dad, mum, carl] = [fam.dad, fam.mum, fam.carl].map((id) => nodeOf(layout, id).x) as [
      number,
      number,
      number,
    ];
    expect((dad - mum) * (carl - mum)).toBeLessThan(0);
    const robin = nodeOf(layout, fam.robin).x;
    const dan = nodeOf(layout, fam.dan).x;
    expect(Math.sign(dan - robin)).toBe(Math.sign(carl - dad));
    expect(describeFamily(fam.f.input(fam.robin)).find((m) => m.id === fam.dan)?.relationship).toBe(
      'Half-brother',
    );
  });

  it('gives a single parent a "not recorded" partner, and a child with no parents no row above', () => {
    const fam = robinsFamily();
    const layout = layoutGenogram(fam.f.input(fam.robin));
    // Jo is Kai's only recorded parent; Robin is Lily's.
    for (const parent of [fam.aunt, fam.robin]) {
      const placeholder = nodeOf(layout, `unknown:${parent}`);
      expect(placeholder.personId).toBeNull();
      expect(placeholder.row).toBe(nodeOf(layout, parent).row);
      expect(Math.abs(placeholder.x - nodeOf(layout, parent).x)).toBe(150);
    }
    expect(layout.families.find((f) => f.children.includes(fam.cousin))?.parents).toEqual([
      fam.aunt,
      `unknown:${fam.aunt}`,
    ]);
    expect(drawGenogram(fam.f.input(fam.robin)).svg).toContain('Parent not recorded');

    const alone = familyBuilder();
    const child = alone.person('Lone', 'F', '2016-01-01');
    const sibling = alone.person('Sib', 'M', '2014-01-01');
    alone.rel(child, sibling, 'sibling');
    const unknownParents = layoutGenogram(alone.input(child));
    expect(unknownParents.rows.map((r) => r.generation)).toEqual([0]);
    expect(unknownParents.families).toEqual([]);
    expect(unknownParents.couples).toEqual([]);
  });

  it('puts someone with no relationships (or none by birth or partnership) on a row of their own', () => {
    const fam = robinsFamily();
    const lodger = fam.f.person('Lou Lodger', null, null);
    const friend = fam.f.person('Fran Friend', 'F', '1970-01-01');
    fam.f.rel(fam.robin, friend, 'friend of the family', { inFamilyNetwork: true });
    const input = fam.f.input(fam.robin, { households: [[fam.robin, fam.mum, lodger]] });
    const layout = layoutGenogram(input);
    const last = layout.rows.at(-1);
    expect(last?.generation).toBeNull();
    expect(last?.label).toBe('Not related by birth or partnership');
    expect([...(last?.keys ?? [])].sort()).toEqual([friend, lodger].sort());
    const members = describeFamily(input);
    expect(members.find((m) => m.id === lodger)).toMatchObject({
      relationship: 'No recorded relationship',
      dates: 'Not known',
      household: 'Household 1 (the child’s home)',
    });
    expect(members.find((m) => m.id === friend)?.relationship).toBe('Friend of the family');
  });

  it('keeps 40 people apart: no two boxes overlap, everyone drawn once', () => {
    const f = familyBuilder();
    const child = f.person('Focus', 'F', '2014-01-01');
    const mum = f.person('Mum', 'F', '1990-01-01');
    const dad = f.person('Dad', 'M', '1989-01-01');
    f.rel(child, mum, 'mother');
    f.rel(child, dad, 'father');
    const partners = [1, 2, 3].map((n) => f.person(`Partner ${n}`, 'M', `198${n}-01-01`));
    partners.forEach((partner, n) => {
      for (let k = 0; k < 2; k += 1) {
        const kid = f.person(`Half ${n}.${k}`, k ? 'M' : 'F', `201${6 + n + k}-01-01`);
        f.rel(kid, mum, 'mother');
        f.rel(kid, partner, 'father');
      }
    });
    const grandparents = ['MGM', 'MGF', 'PGM', 'PGF'].map((name, n) =>
      f.person(name, n % 2 ? 'M' : 'F', `196${n}-01-01`),
    );
    const [mgm = '', mgf = '', pgm = '', pgf = ''] = grandparents;
    f.rel(mum, mgm, 'mother');
    f.rel(mum, mgf, 'father');
    f.rel(dad, pgm, 'mother');
    f.rel(dad, pgf, 'father');
    for (let n = 0; n < 4; n += 1) {
      const sibling = f.person(`Aunt ${n}`, n % 2 ? 'M' : 'F', `199${n + 1}-01-01`);
      const spouse = f.person(`Spouse ${n}`, n % 2 ? 'F' : 'M', `199${n}-06-01`);
      f.rel(sibling, n < 2 ? mgm : pgm, 'mother');
      f.rel(sibling, n < 2 ? mgf : pgf, 'father');
      f.rel(sibling, spouse, 'spouse', n === 3 ? { endedOn: '2020-01-01' } : {});
      for (let k = 0; k < 3; k += 1) {
        const cousin = f.person(`Cousin ${n}.${k}`, k ? 'M' : 'F', `201${k + n}-01-01`);
        f.rel(cousin, sibling, n % 2 ? 'father' : 'mother');
        f.rel(cousin, spouse, n % 2 ? 'mother' : 'father');
      }
    }
    const childsPartner = f.person('Child Partner', 'M', '2013-01-01');
    for (const year of ['2031', '2033']) {
      const baby = f.person(`Baby ${year}`, 'U', `${year}-01-01`);
      f.rel(baby, child, 'mother');
      f.rel(baby, childsPartner, 'father');
    }
    f.rel(child, f.person('Foster Carer', 'F', '1970-01-01'), 'foster carer');
    f.rel(child, f.person('Unplaced Aunt', 'F', '1994-01-01'), 'aunt or uncle');
    const input = f.input(child);
    expect(input.people.length).toBeGreaterThanOrEqual(40);
    const layout = layoutGenogram(input);
    const nodes = [...layout.nodes.values()];
    expect(
      nodes
        .filter((n) => n.personId !== null)
        .map((n) => n.personId)
        .sort(),
    ).toEqual(input.people.map((p) => p.id).sort());
    for (const a of nodes) {
      for (const b of nodes) {
        if (a === b) continue;
        if (a.row === b.row)
          expect(Math.abs(a.x - b.x), `${a.key} / ${b.key}`).toBeGreaterThanOrEqual(NODE_WIDTH + 20);
        else expect(Math.abs(a.y - b.y)).toBeGreaterThanOrEqual(150);
      }
      expect(a.x - NODE_WIDTH / 2).toBeGreaterThanOrEqual(0);
      expect(a.x + NODE_WIDTH / 2).toBeLessThanOrEqual(layout.width);
      expect(a.y + 130).toBeLessThanOrEqual(layout.height);
    }
    // Every child is on the row directly below both parents.
    expect(layout.families).toHaveLength(11);
    for (const family of layout.families) {
      const parentRows = family.parents.map((p) => nodeOf(layout, p).row);
      expect(parentRows[0]).toBe(parentRows[1]);
      for (const c of family.children) expect(nodeOf(layout, c).row).toBe((parentRows[0] ?? 0) + 1);
    }
  });
});

describe('drawGenogram', () => {
  it('is deterministic: the same family gives the same SVG, whatever order the rows arrive in', () => {
    const fam = robinsFamily();
    const input = fam.f.input(fam.robin, { households: [[fam.robin, fam.mum, fam.erin]] });
    const first = drawGenogram(input).svg;
    expect(drawGenogram(input).svg).toBe(first);
    const shuffled: FamilyMapInput = {
      ...input,
      people: [...input.people].reverse(),
      relationships: [...input.relationships].sort((a, b) => (a.kind < b.kind ? 1 : -1)),
      households: [[fam.erin, fam.robin, fam.mum]],
    };
    expect(drawGenogram(shuffled).svg).toBe(first);
    expect(drawFamilyMap(shuffled).ecomap.svg).toBe(drawFamilyMap(input).ecomap.svg);
  });

  it('escapes every name: markup in a name is text', () => {
    const f = familyBuilder();
    const child = f.person('Robin', 'M', '2015-06-01');
    const evil = f.person('x', 'F', '1990-01-01', {
      givenName: '<script>alert(1)</script> & "Bob"',
      familyName: "O'Neil",
    });
    f.rel(child, evil, 'mother', { inFamilyNetwork: true });
    const input = f.input(child, {
      professionals: [
        { id: 'p1', role: '<b>GP</b>', name: '<img src=x onerror=alert(1)>', organisation: '"Surgery" & co' },
      ],
    });
    const map = drawFamilyMap(input);
    for (const svg of [map.genogram.svg, map.ecomap.svg]) {
      expect(svg).not.toMatch(/<script|<img|<b>|onerror=alert\(1\)>/);
      expect(svg).not.toContain('"Bob"');
      expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(svg).toContain('&amp; &quot;Bob&quot;');
    }
    expect(map.ecomap.svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(map.ecomap.svg).toContain('&quot;Surgery&quot; &amp; co');
    expect(map.genogram.svg).toContain('O&#39;Neil');
    expect(escapeXml('a\u0000b\u001fc<')).toBe('abc&lt;');
  });

  it('uses the standard symbols, a double outline for the child and a cross for someone who has died', () => {
    const fam = robinsFamily();
    const { svg } = drawGenogram(fam.f.input(fam.robin));
    const group = (id: string) => new RegExp(`data-person-id="${id}">([\\s\\S]*?)</g>`).exec(svg)?.[1] ?? '';
    expect(group(fam.dad)).toMatch(/^<title>[^<]*<\/title><rect /);
    expect(group(fam.mum)).toMatch(/^<title>[^<]*<\/title><circle /);
    expect(group(fam.cousin)).toMatch(/^<title>[^<]*<\/title><polygon /);
    expect(group(fam.robin).match(/<rect /g)).toHaveLength(2);
    expect(group(fam.grandad)).toMatch(/<path d="M[^"]+M[^"]+"/);
    expect(group(fam.gran)).not.toContain('<path');
    expect(svg).toMatch(
      /class="app-genogram__couple app-genogram__couple--ended"[^>]*stroke-dasharray="8 5"/,
    );
    expect(svg).not.toMatch(/style=|<style/);
    expect(svg).toMatch(
      /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="app-genogram" role="img" aria-labelledby="genogram-title genogram-desc"/,
    );
    expect(svg).toContain('<title id="genogram-title">Genogram of Robin Family’s family</title>');
  });

  it('encloses the child’s household in a dotted boundary, one outline when the rows allow', () => {
    const fam = robinsFamily();
    const { svg, layout } = drawGenogram(
      fam.f.input(fam.robin, { households: [[fam.robin, fam.mum, fam.erin, fam.dan, fam.carl]] }),
    );
    expect(layout.households).toEqual([
      {
        label: 'Household 1 (the child’s home)',
        members: expect.arrayContaining([fam.robin, fam.mum, fam.erin, fam.dan, fam.carl]) as unknown,
      },
    ]);
    const household = /<g class="app-genogram__household">([\s\S]*?)<\/g>/.exec(svg)?.[1] ?? '';
    expect(household).toContain('stroke-dasharray="2 4"');
    expect(household).toContain('Household 1 (the child’s home)');
    // Restricted people are never placed in a household.
    const restricted = robinsFamily();
    const hidden = restricted.f.input(restricted.robin, { households: [[restricted.robin, restricted.mum]] });
    const people = hidden.people.map((p) =>
      p.id === restricted.mum ? { ...p, restricted: true, sex: null, dateOfBirth: null } : p,
    );
    expect(layoutGenogram({ ...hidden, people }).households).toEqual([]);
  });

  it('shows a restricted person by name only', () => {
    const fam = robinsFamily();
    const input = fam.f.input(fam.robin);
    const people = input.people.map((p) =>
      p.id === fam.grandad ? { ...p, restricted: true, sex: null, dateOfBirth: null, dateOfDeath: null } : p,
    );
    const map = drawFamilyMap({ ...input, people });
    const group =
      new RegExp(`data-person-id="${fam.grandad}">([\\s\\S]*?)</g>`).exec(map.genogram.svg)?.[1] ?? '';
    expect(group).toContain('Harold Family');
    expect(group).toContain('Restricted record');
    expect(group).not.toMatch(/1958|2020|<path/);
    expect(map.members.find((m) => m.id === fam.grandad)).toMatchObject({
      name: 'Harold Family',
      dates: null,
      restricted: true,
    });
  });
});

describe('describeFamily', () => {
  it('lists everyone with their relationship to the child, dates, parental responsibility and network', () => {
    const fam = robinsFamily();
    const members = describeFamily(fam.f.input(fam.robin, { households: [[fam.robin, fam.mum]] }));
    expect(
      members.map((m) => [
        m.name,
        m.relationship,
        m.dates,
        m.parentalResponsibility,
        m.inFamilyNetwork,
        m.household,
      ]),
    ).toEqual([
      ['Robin Family', 'The child', 'Born 1 June 2015', null, null, 'Household 1 (the child’s home)'],
      ['Alice Family', 'Mother', 'Born 3 February 1990', true, true, 'Household 1 (the child’s home)'],
      ['Brian Family', 'Father', 'Born 5 May 1988', true, false, null],
      ['Erin Family', 'Sister', 'Born 1 January 2013', false, true, null],
      ['Lily Family', 'Daughter', 'Born 1 January 2026', false, false, null],
      ['Gwen Family', 'Mother’s mother', 'Born 1 January 1960', false, false, null],
      ['Harold Family', 'Mother’s father', 'Born 1 January 1958, died 1 January 2020', false, false, null],
      ['Dan Family', 'Half-brother', 'Born 3 March 2020', false, false, null],
      ['Jo Family', 'Mother’s sister', 'Born 1 January 1993', false, false, null],
      ['Carl Family', 'Half-brother’s father', 'Born 1 January 1985', false, false, null],
      ['Kai Family', 'Cousin (mother’s side)', 'Born 1 January 2018', false, false, null],
    ]);
  });

  it('says when a direct relationship has ended', () => {
    const f = familyBuilder();
    const child = f.person('Robin', 'M', '2015-06-01');
    const carer = f.person('Fay', 'F', '1970-01-01');
    const future = f.person('Gil', 'M', '1971-01-01');
    f.rel(child, carer, 'foster carer', { endedOn: '2025-03-31', parentalResponsibility: true });
    f.rel(child, future, 'foster carer', { endedOn: '2027-01-01' });
    const members = describeFamily(f.input(child));
    expect(members.find((m) => m.id === carer)).toMatchObject({
      relationship: 'Foster carer (ended 31 March 2025)',
      parentalResponsibility: false,
    });
    expect(members.find((m) => m.id === future)?.relationship).toBe('Foster carer');
  });
});

describe('drawEcomap', () => {
  it('puts the family network and current professionals round the child, each line labelled', () => {
    const fam = robinsFamily();
    fam.f.rel(fam.robin, fam.gran, 'grandparent', { inFamilyNetwork: true, endedOn: '2024-01-01' });
    const { svg, connections } = drawEcomap(
      fam.f.input(fam.robin, {
        professionals: [
          { id: 'p2', role: 'school', name: 'Ms Head', organisation: 'Hillside Primary' },
          { id: 'p1', role: 'GP', name: 'Dr Patel', organisation: 'Hillside Surgery' },
        ],
      }),
    );
    expect(connections.map((c) => [c.kind, c.label, c.name, c.ended])).toEqual([
      ['family', 'Mother', 'Alice Family', false],
      ['family', 'Sister', 'Erin Family', false],
      ['family', 'Grandmother', 'Gwen Family', true],
      ['professional', 'School', 'Ms Head', false],
      ['professional', 'GP', 'Dr Patel', false],
    ]);
    expect(svg.match(/class="app-ecomap__line"/g)).toHaveLength(5);
    expect(svg.match(/class="app-ecomap__line"[^>]*stroke-dasharray/g)).toHaveLength(1);
    expect(svg).toMatch(/role="img" aria-labelledby="ecomap-title ecomap-desc"/);
    expect(svg).toContain('<title id="ecomap-title">');
    expect(svg).not.toMatch(/style=|<style/);
  });

  it('keeps 30 connections apart on the circle', () => {
    const f = familyBuilder();
    const child = f.person('Robin', 'M', '2015-06-01');
    for (let n = 0; n < 20; n += 1)
      f.rel(child, f.person(`Friend ${n}`, 'F', null), 'friend of the family', { inFamilyNetwork: true });
    const professionals = Array.from({ length: 10 }, (_, n) => ({
      id: `p${n}`,
      role: 'other',
      name: `Worker ${n}`,
      organisation: null,
    }));
    const { svg } = drawEcomap(f.input(child, { professionals }));
    const boxes = [
      ...svg.matchAll(
        /<g class="app-ecomap__(?:family|professional)"[^>]*><title>[^<]*<\/title><rect x="([\d.-]+)" y="([\d.-]+)" width="(\d+)" height="(\d+)"/g,
      ),
    ].map((m) => ({ x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4]) }));
    expect(boxes).toHaveLength(30);
    for (const a of boxes) {
      for (const b of boxes) {
        if (a === b) continue;
        const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
        expect(apart).toBe(true);
      }
    }
  });
});

describe('wrapText', () => {
  it('wraps at word boundaries and marks a cut with an ellipsis', () => {
    expect(wrapText('Alexandra Montgomery-Smythe', 19, 2)).toEqual(['Alexandra', 'Montgomery-Smythe']);
    expect(wrapText('A very long name that goes on and on', 10, 2)).toEqual(['A very', 'long name…']);
    expect(wrapText('Supercalifragilistic', 8, 3)).toEqual(['Supercal', 'ifragili', 'stic']);
  });
});
