import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CIN_CENSUS, SSDA903, type ReturnBlock } from './field-homes.ts';

/**
 * docs/returns/cin-census.md and ssda903.md say where every field comes from. Their tables were
 * generated from field-homes.ts; this keeps them from drifting: every block, every field and every
 * column it is read from must be in the doc's section for that block.
 */
function section(doc: string, block: string): string {
  const start = doc.indexOf(`\n### ${block}\n`);
  if (start < 0) return '';
  const next = doc.indexOf('\n### ', start + 1);
  return doc.slice(start, next < 0 ? undefined : next);
}

function missing(docPath: string, blocks: readonly ReturnBlock[]): string[] {
  const doc = readFileSync(new URL(`../../../${docPath}`, import.meta.url), 'utf8');
  const out: string[] = [];
  for (const block of blocks) {
    const text = section(doc, block.block);
    if (!text) {
      out.push(`${block.block} (no section)`);
      continue;
    }
    for (const field of block.fields) {
      const line = text.split('\n').find((l) => l.split('|')[1]?.trim() === field.field);
      if (!line) out.push(`${block.block}.${field.field}`);
      else
        for (const column of field.columns)
          if (!line.includes(`\`${column}\``)) out.push(`${block.block}.${field.field}: ${column}`);
    }
  }
  return out;
}

describe('the returns documentation', () => {
  it('names every CIN census field of field-homes.ts and its columns', () => {
    expect(missing('docs/returns/cin-census.md', CIN_CENSUS)).toEqual([]);
  });
  it('names every SSDA903 field of field-homes.ts and its columns', () => {
    expect(missing('docs/returns/ssda903.md', SSDA903)).toEqual([]);
  });
});
