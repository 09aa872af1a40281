import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const GOVUK = fileURLToPath(new URL('../../../node_modules/govuk-frontend/dist/govuk/', import.meta.url));
const PUBLIC = fileURLToPath(new URL('../public/', import.meta.url));

/** govuk-frontend's CSS, JavaScript, fonts and images, served from the package: no CDN. */
export async function registerStaticFiles(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, {
    root: `${GOVUK}assets`,
    prefix: '/assets/',
    maxAge: '1d',
    index: false,
  });
  await app.register(fastifyStatic, {
    root: GOVUK,
    prefix: '/govuk/',
    decorateReply: false,
    index: false,
    maxAge: '1d',
    allowedPath: (path) => /^\/govuk-frontend\.min\.(css|js)(\.map)?$/.test(path),
  });
  await app.register(fastifyStatic, {
    root: PUBLIC,
    prefix: '/public/',
    decorateReply: false,
    index: false,
    maxAge: '1h',
  });
}
