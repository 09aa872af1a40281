/**
 * The small part of autocannon 9's programmatic API the benchmark uses (the package ships no types,
 * and installing @types/autocannon is not worth a dependency for one script).
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  export type Options = {
    readonly url: string;
    readonly connections?: number;
    /** Seconds. */
    readonly duration?: number;
    readonly pipelining?: number;
    /** Seconds before a request counts as timed out. */
    readonly timeout?: number;
    readonly method?: string;
    readonly headers?: Record<string, string>;
    readonly title?: string;
  };

  export type Histogram = {
    readonly average: number;
    readonly mean: number;
    readonly stddev: number;
    readonly min: number;
    readonly max: number;
    readonly total?: number;
    readonly p50: number;
    readonly p99: number;
  };

  export type Result = {
    readonly url: string;
    readonly connections: number;
    /** Seconds. */
    readonly duration: number;
    readonly errors: number;
    readonly timeouts: number;
    readonly mismatches: number;
    readonly non2xx: number;
    readonly resets: number;
    readonly '2xx': number;
    readonly statusCodeStats: Record<string, { count: number }>;
    /** Milliseconds, recorded for 2xx responses, in whole milliseconds. */
    readonly latency: Histogram;
    /** Requests per one-second sample; `total` is every completed request. */
    readonly requests: Histogram & { readonly total: number; readonly sent: number };
    /** Bytes per one-second sample; `total` is every byte received. */
    readonly throughput: Histogram & { readonly total: number };
  };

  export type Instance = EventEmitter & {
    on(
      event: 'response',
      listener: (client: unknown, statusCode: number, resBytes: number, responseTimeMs: number) => void,
    ): Instance;
    on(event: 'reqError', listener: (error: Error) => void): Instance;
    stop(): void;
  };

  function autocannon(options: Options, callback: (error: Error | null, result: Result) => void): Instance;
  export default autocannon;
}
