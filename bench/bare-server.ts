import Fastify from 'fastify';

/**
 * The baseline: a bare Fastify 5 app with one route returning a short string, no plugins, no logger.
 * Run as its own process (like Hearth) so the load generator never shares its event loop.
 */
const port = Number(process.env['PORT']);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error('bare-server: set PORT');
  process.exit(2);
}

const app = Fastify({ logger: false });
app.get('/', async () => 'hello world');

process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});

await app.listen({ port, host: '127.0.0.1' });
