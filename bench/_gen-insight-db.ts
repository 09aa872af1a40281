// Temporary: generates Birmingham at scale 1 into a kept database for the insight/returns benches.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connect } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { loadReferenceGeography } from '../src/modules/geography/geography.service.ts';
import { generateAuthority } from '../src/modules/synthetic/authority.ts';
const base = process.env['BENCH_DATABASE_URL'] ?? '';
const name = `hearth_bench_help_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: base });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
await admin.end();
console.log('database', name);
const url = new URL(base);
url.pathname = `/${name}`;
const handle = await connect({ kind: 'postgres', url: url.toString() });
const t0 = Date.now();
await migrate(handle);
await loadReferenceGeography(handle, { laCodes: ['E08000025'] });
console.log('geography', (Date.now() - t0) / 1000);
let last = 0;
const s = await generateAuthority(handle.db, { authority: 'E08000025', scale: Number(process.env['SCALE'] ?? '1'), years: 10, seed: '42' }, (e) => {
  if (e.kind === 'progress' && Date.now() - last > 30000) { last = Date.now(); console.log(Math.round(e.fraction * 100), e.childrenWritten, e.rows); }
});
console.log('generated', s.children, s.rows, s.seconds, 'total', (Date.now() - t0) / 1000);
await handle.close();
