import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A stopped server's data folder with the demo seeded (global-setup.ts), copied for each test file. */
    hearthTemplate: string | undefined;
  }
}

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/**
 * The browser suites may use these ports only (other suites and tools use the rest).
 * HEARTH_BROWSER_PORTS=first-last (e.g. 3600-3699) picks another range, for running alongside others.
 */
const PORTS = portRange(process.env['HEARTH_BROWSER_PORTS']) ?? { first: 3200, last: 3299 };

function portRange(value: string | undefined): { first: number; last: number } | undefined {
  const match = /^(\d{4,5})-(\d{4,5})$/.exec(value ?? '');
  if (!match) return undefined;
  const first = Number(match[1]);
  const last = Number(match[2]);
  return first <= last && last < 65536 ? { first, last } : undefined;
}
const START_TIMEOUT_MS = 240_000;
const STOP_TIMEOUT_MS = 10_000;
const OUTPUT_LIMIT = 200_000;

export type HearthServer = {
  /** e.g. http://127.0.0.1:3217 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Everything the server printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** Log lines at level error or fatal (pino level ≥ 50): a 500 or a crash on the server side. */
  serverErrors(): string[];
  /** Stops the server (SIGTERM, then SIGKILL) and deletes its data directory. Safe to call twice. */
  stop(): Promise<void>;
};

/**
 * Starts the real server (`node src/main.ts`) as a child process, as a newcomer would run it, on its
 * own embedded database with the demo data, and waits until /health answers 200. One per test file.
 * The first start of a run (migrations, geography and the demo council's generated population) takes
 * tens of seconds, so global-setup.ts does it once into a template folder: each test file's server
 * starts on a copy of it (a PGlite folder may be copied while no server has it open).
 */
export async function startServer(extraEnv: Readonly<Record<string, string>> = {}): Promise<HearthServer> {
  return startWith(templateFolder(), { extraEnv });
}

function templateFolder(): string | undefined {
  try {
    return inject('hearthTemplate');
  } catch {
    return undefined; // Outside a vitest worker (global setup itself): start from an empty folder.
  }
}

/**
 * For global-setup.ts: starts a server on an empty folder (first start: everything is seeded), stops
 * it, and keeps the folder. Returns the folder and how long the first start took.
 */
export async function seedTemplate(): Promise<{ dataDir: string; seconds: number; output: string }> {
  const started = performance.now();
  const server = await startWith(undefined, { keepData: true });
  const seconds = (performance.now() - started) / 1000;
  const output = server.output();
  await server.stop();
  return { dataDir: server.dataDir, seconds, output };
}

async function startWith(
  template: string | undefined,
  options: { keepData?: boolean; extraEnv?: Readonly<Record<string, string>> } = {},
): Promise<HearthServer & { dataDir: string }> {
  const tried = new Set<number>();
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort(tried);
    tried.add(port);
    try {
      return await startOn(port, template, options.keepData ?? false, options.extraEnv ?? {});
    } catch (error) {
      lastError = error;
      // Another process may have taken the port between our check and the server's listen.
      if (!(error instanceof PortTakenError)) throw error;
    }
  }
  throw lastError instanceof Error ? lastError : new Error('Could not start the Hearth server');
}

class PortTakenError extends Error {}

async function startOn(
  port: number,
  template: string | undefined,
  keepData: boolean,
  extraEnv: Readonly<Record<string, string>>,
): Promise<HearthServer & { dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hearth-browser-'));
  if (template) await cp(template, dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = {};
  // Only the settings this test means: nothing from the developer's own environment (a DATABASE_URL,
  // OIDC settings or a production NODE_ENV would change what is being tested).
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(HEARTH_|DATABASE_URL$|NODE_ENV$|PORT$|HOST$|LOG_LEVEL$)/.test(key)) env[key] = value;
  }
  Object.assign(env, {
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(port),
    HEARTH_DATA_DIR: dataDir,
    HEARTH_DEMO_DATA: 'true',
    // The demo council's authority only: all of England's postcodes add half a minute per server.
    HEARTH_REFERENCE_AUTHORITIES: 'E10000015',
    LOG_LEVEL: 'warn',
    // What a test file asks for on top (e.g. NOTIFY_SENDER=smtp and its own SMTP sink).
    ...extraEnv,
  });
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // If the test process dies without its afterAll, do not leave a server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await terminate(child, exited);
    process.removeListener('exit', killOnExit);
    if (!keepData) await rm(dataDir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, child, exited, () => output);
  } catch (error) {
    await stop();
    if (/EADDRINUSE/.test(output)) throw new PortTakenError(`Port ${port} was taken`);
    throw error;
  }
  return {
    url,
    port,
    dataDir,
    output: () => output,
    serverErrors: () =>
      output.split('\n').filter((line) => {
        if (!line.startsWith('{')) return false;
        try {
          const level: unknown = (JSON.parse(line) as { level?: unknown }).level;
          return typeof level === 'number' && level >= 50;
        } catch {
          return false;
        }
      }),
    stop,
  };
}

async function waitForHealth(
  url: string,
  child: ChildProcess,
  exited: Promise<void>,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  while (Date.now() < deadline) {
    if (gone)
      throw new Error(
        `The Hearth server exited with code ${child.exitCode} before it was ready. It printed:\n${output()}`,
      );
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `The Hearth server did not answer ${url}/health within ${START_TIMEOUT_MS / 1000}s. It printed:\n${output()}`,
  );
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((resolve) =>
    setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref(),
  );
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

/** A port in the browser range that nothing is listening on, starting at a random place in it. */
async function freePort(skip: ReadonlySet<number>): Promise<number> {
  const count = PORTS.last - PORTS.first + 1;
  const offset = Math.floor(Math.random() * count);
  for (let i = 0; i < count; i += 1) {
    const port = PORTS.first + ((offset + i) % count);
    if (!skip.has(port) && (await canListen(port))) return port;
  }
  throw new Error(`No free port between ${PORTS.first} and ${PORTS.last} for the Hearth server`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}
