// `ganvas translate --redis URL --input FOLDER`: the folder goes to the Redis queue as one job
// per image, for `ganvas worker`s to translate; this process plans it, follows it and prints
// the summary. Images the queue has done before (same model, settings, output, bytes) are not
// redone. Exit codes as `ganvas translate`: 0 all done, 1 some failed, 130 stopped by Ctrl+C.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface QueuedFolder {
  redisUrl: string;
  /** A catalogue id, or a model folder every worker can read under this path. */
  modelId: string;
  modelVersion: string;
  inputDir: string;
  outputDir: string;
  options: Record<string, unknown>;
}

export async function translateFolderOnQueue(request: QueuedFolder): Promise<number> {
  const { checkRedis } = await import('../engine/redis-queue/connection.js');
  const { createRedisJobQueue } = await import('../engine/redis-queue/redis-job-queue.js');
  await checkRedis(request.redisUrl);
  // The job's record lives only as long as this command: the queue in Redis is what remembers the images.
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'ganvas-translate-queue-'));
  const queue = createRedisJobQueue({ dataDir: scratch, redisUrl: request.redisUrl, modelVersion: async () => request.modelVersion, log: (m) => console.error(m) });
  const onSigint = () => {
    for (const job of queue.list()) queue.cancel(job.id);
  };
  process.once('SIGINT', onSigint);
  try {
    const job = queue.start('translate-folder', { modelId: request.modelId, inputDir: path.resolve(request.inputDir), outputDir: path.resolve(request.outputDir), options: request.options }, { title: 'translate' });
    let last = '';
    queue.on('progress', (event) => {
      const line = `${event.progress.done}/${event.progress.total} images`;
      if (line !== last && process.stderr.isTTY) process.stderr.write(`\r${line}`);
      last = line;
    });
    queue.on('log', (event) => console.error(event.message));
    const finished = await queue.waitFor(job.id);
    if (process.stderr.isTTY) process.stderr.write('\n');
    if (finished.status === 'failed') {
      console.error(`ganvas translate: ${finished.error ?? 'the folder job failed'}`);
      return 1;
    }
    const result = finished.result as { translated: number; skipped: number; failed: unknown[] } | undefined;
    console.log(`${path.resolve(request.outputDir)}  ${result?.translated ?? 0} translated, ${result?.skipped ?? 0} done earlier, ${result?.failed.length ?? 0} failed (on the queue at ${request.redisUrl.replace(/\/\/[^@]*@/, '//***@')})`);
    if (finished.status === 'cancelled') return 130;
    return result && result.failed.length > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    await queue.close();
    await rm(scratch, { recursive: true, force: true });
  }
}
