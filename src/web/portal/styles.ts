import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const GOVUK_CSS = fileURLToPath(
  new URL('../../../node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css', import.meta.url),
);
const PORTAL_CSS = fileURLToPath(new URL('./portal.css', import.meta.url));

/**
 * The portal's one stylesheet: GOV.UK Frontend and the portal's few rules, compressed once at start
 * (about 20 KB gzipped instead of 140 KB), so a page loads quickly on an old phone.
 */
export function portalStyles(): { plain: Buffer; gzip: Buffer } {
  const plain = Buffer.from(`${readFileSync(GOVUK_CSS, 'utf8')}\n${readFileSync(PORTAL_CSS, 'utf8')}`);
  return { plain, gzip: gzipSync(plain, { level: 9 }) };
}
