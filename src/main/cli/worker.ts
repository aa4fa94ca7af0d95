// `ganvas worker --redis URL`: runs queued folder images and training runs on this machine.
// Exit codes: 0 stopped by Ctrl+C/SIGTERM after finishing what it held, 1 Redis unreachable, 2 usage error.
import { resolveDataDir } from '../engine/data-dir.js';
import { parseCommandLine, UsageError } from './usage.js';

export const workerHelp = `Usage: ganvas worker --redis URL [--concurrency N] [--takes images,train] [--data-dir DIR]

Takes jobs from the studio's queue on Redis (a studio started with --redis URL)
and runs them here: the images of folder translations, and training runs (one
worker trains a run at a time; another one resumes it from its last checkpoint
if this one stops). Announces its tensor backend (GPU or CPU) to the studio.

  --redis URL        the Redis the studio uses, e.g. redis://10.0.0.5:6379
  --concurrency N    images at once (default 1; training always runs alone)
  --takes LIST       what to take: images, train or both (default both)
  --data-dir DIR     where catalogue ids (user:…, run:…) are found; share it with the studio

Every worker must read the input folders and write the output and run folders
under the same paths as the studio (a shared folder mounted alike everywhere).
Ctrl+C stops taking jobs, finishes (or checkpoints) what it holds, and exits.
`;

export async function workerCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandLine(
    argv,
    {
      redis: { type: 'string' },
      concurrency: { type: 'string' },
      takes: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    { allowPositionals: false },
  );
  if (values.help) {
    console.log(workerHelp);
    return 0;
  }
  if (!values.redis) throw new UsageError('worker needs --redis URL (the Redis your studio was started with)');
  const concurrency = values.concurrency === undefined ? 1 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError(`--concurrency must be a whole number from 1 to 64, got "${values.concurrency}"`);
  const takes = (values.takes ?? 'images,train').split(',').map((t) => t.trim());
  for (const take of takes) if (take !== 'images' && take !== 'train') throw new UsageError(`--takes lists images and/or train, got "${take}"`);
  const { checkRedis, checkRedisUrl } = await import('../engine/redis-queue/connection.js');
  try {
    checkRedisUrl(values.redis);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  await checkRedis(values.redis);
  const { startQueueWorker } = await import('../engine/redis-queue/worker.js');
  const lockMs = process.env.GANVAS_WORKER_LOCK_MS ? Number(process.env.GANVAS_WORKER_LOCK_MS) : undefined;
  const worker = await startQueueWorker({
    redisUrl: values.redis,
    dataDir: resolveDataDir(values['data-dir']),
    concurrency,
    takes: takes as ('images' | 'train')[],
    ...(lockMs !== undefined && Number.isFinite(lockMs) && lockMs >= 1000 ? { lockMs } : {}),
  });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log(`GANvas worker ${worker.name}: stopping after the jobs it holds`);
  await worker.close();
  return 0;
}
