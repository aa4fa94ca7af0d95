/**
 * The Redis queue loads only when it is asked for: BullMQ pulls in
 * msgpackr-extract, whose native loader probes folders beside the Node binary
 * (/usr/bin/prebuilds), so a studio without `--redis` must not load it (the
 * contract fuzz watches every file the server touches). Callers load it
 * (async) before opening a studio with a Redis URL.
 */
type RedisQueueModule = typeof import('./redis-job-queue.js');

let loaded: RedisQueueModule | undefined;

export async function loadRedisQueue(): Promise<RedisQueueModule> {
  loaded ??= await import('./redis-job-queue.js');
  return loaded;
}

/** The module once loadRedisQueue() has run. */
export function loadedRedisQueue(): RedisQueueModule {
  if (!loaded) throw new Error('the Redis queue is not loaded: await loadRedisQueue() before opening a studio with redisUrl');
  return loaded;
}
