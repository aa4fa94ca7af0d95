/**
 * The bench's queue line: images per second of a real folder job on a
 * private Redis with 1 and 2 real `ganvas worker` processes (small here;
 * `npm run bench` times 60 images).
 */
import { describe, expect, it } from 'vitest';
import { measureQueueThroughput } from '../../src/main/bench/queue-throughput.js';
import { redisUnavailable } from '../../src/main/bench/private-redis.js';

const skip = redisUnavailable();

describe.skipIf(skip !== null)(`bench: queue throughput${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('times a folder with 1 and 2 workers and reports images per second', async () => {
    const report = await measureQueueThroughput({ images: 8, workerCounts: [1, 2] });
    if ('skipped' in report) throw new Error(report.skipped);
    expect(report.lines.map((l) => [l.workers, l.images])).toEqual([
      [1, 8],
      [2, 8],
    ]);
    for (const line of report.lines) {
      expect(line.imagesPerSecond).toBeGreaterThan(0);
      // Both are rounded to 0.01 in the report: agree within 5 %.
      expect(Math.abs(line.imagesPerSecond - line.images / line.seconds) / line.imagesPerSecond).toBeLessThan(0.05);
      expect(line.workerStartSeconds).toBeGreaterThan(0);
    }
  }, 180_000);
});
