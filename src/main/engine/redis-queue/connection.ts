/**
 * Connections to the Redis that carries the BullMQ queues (`--redis URL`).
 * tfjs-free: the studio's main thread, the CLI and the workers all use it.
 *
 * BullMQ wants `maxRetriesPerRequest: null` on the connections its workers
 * block on; a studio or worker that starts against a Redis it cannot reach
 * fails at once with a RedisUnreachableError instead of retrying forever.
 */
import { Redis } from 'ioredis';
import { UserFacingError } from '../errors.js';

/** Redis cannot be reached (or the URL is not one); nothing was queued. */
export class RedisUnreachableError extends UserFacingError {
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super('failed', `Redis at ${redactRedisUrl(url)} cannot be reached (${reason}). Start redis-server there, or leave --redis out to run jobs in this process.`);
    this.name = 'RedisUnreachableError';
  }
}

/** The URL without its password, for messages and the status bar. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url.slice(0, 200);
  }
}

/** Throws a UserFacingError 'invalid_request' unless `url` is a redis:// or rediss:// URL. */
export function checkRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserFacingError('invalid_request', `--redis wants a URL such as redis://127.0.0.1:6379, got '${url.slice(0, 200)}'`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new UserFacingError('invalid_request', `--redis wants a redis:// or rediss:// URL, got '${redactRedisUrl(url)}'`);
  }
  return url;
}

/** A connection for BullMQ (queues, workers, flows) or our own keys. */
export function redisClient(url: string): Redis {
  return new Redis(checkRedisUrl(url), { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/** Connects once and pings; RedisUnreachableError within `timeoutMs` if that fails. */
export async function checkRedis(url: string, timeoutMs = 3000): Promise<void> {
  checkRedisUrl(url);
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new RedisUnreachableError(url, error instanceof Error ? error.message : String(error));
  } finally {
    probe.disconnect();
  }
}
