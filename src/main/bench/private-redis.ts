/**
 * A Redis of one's own for measuring the queue (and for the queue tests):
 * REDIS_URL when given, else a `redis-server` on a free 127.0.0.1 port, with
 * no persistence, stopped again by `stop()`. Null with a reason when neither
 * is there.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
}

/** Null when a Redis can be had (REDIS_URL, or redis-server installed); else why not. */
export function redisUnavailable(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.REDIS_URL) return null;
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return found.error ? 'redis-server is not installed (apt-get install redis-server) and REDIS_URL is not set' : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
}

export async function startPrivateRedis(env: NodeJS.ProcessEnv = process.env): Promise<PrivateRedis> {
  if (env.REDIS_URL) return { url: env.REDIS_URL, stop: async () => {} };
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      break;
    } catch (error) {
      probe.disconnect();
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new Error(`redis-server did not start on port ${port}: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
