import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';

/** The ports this benchmark may use, on 127.0.0.1 only. */
export const PORT_RANGE = { first: 3400, last: 3499 } as const;

async function portIsFree(port: number): Promise<boolean> {
  const server = net.createServer();
  try {
    server.listen({ port, host: '127.0.0.1', exclusive: true });
    await once(server, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  }
}

/** Free ports in PORT_RANGE, starting at a random place so parallel runs rarely collide. */
export async function freePorts(count: number, avoid: ReadonlySet<number> = new Set()): Promise<number[]> {
  const size = PORT_RANGE.last - PORT_RANGE.first + 1;
  const start = Math.floor(Math.random() * size);
  const found: number[] = [];
  for (let i = 0; i < size && found.length < count; i += 1) {
    const port = PORT_RANGE.first + ((start + i) % size);
    if (!avoid.has(port) && (await portIsFree(port))) found.push(port);
  }
  if (found.length < count)
    throw new Error(`No ${count} free ports in ${PORT_RANGE.first}–${PORT_RANGE.last} on 127.0.0.1`);
  return found;
}

export type Server = {
  readonly name: string;
  readonly base: string;
  readonly child: ChildProcess;
  /** The last lines the process wrote, for error messages. */
  output(): string;
  stop(): Promise<void>;
};

/**
 * Starts `node <script>` as a child process with the given environment and waits until `readyPath`
 * answers 200. Fails with the process's own output if it exits or is not ready in time.
 */
export async function startServer(options: {
  readonly name: string;
  readonly script: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly port: number;
  readonly readyPath: string;
  readonly readyTimeoutMs: number;
}): Promise<Server> {
  const base = `http://127.0.0.1:${options.port}`;
  const child = spawn(process.execPath, [options.script], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = once(child, 'exit');
  let exitCode: number | null | undefined;
  void exited.then(([code]) => {
    exitCode = code as number | null;
  });

  const server: Server = {
    name: options.name,
    base,
    child,
    output: () => lines.join('\n'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };

  const deadline = Date.now() + options.readyTimeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`${options.name} exited (code ${exitCode}) before it was ready:\n${server.output()}`);
    }
    try {
      const response = await fetch(`${base}${options.readyPath}`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return server;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await server.stop();
  throw new Error(
    `${options.name} was not ready within ${options.readyTimeoutMs / 1000} s:\n${server.output()}`,
  );
}
