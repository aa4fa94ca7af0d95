/**
 * Kept job logs stay bounded and readable: a chatty job is trimmed to its
 * newest lines instead of growing without end, a line cut short by a crash
 * is skipped without losing the lines after it, and API notices are not kept.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { jobLogPath, openJobLogs, readJobLog } from '../../src/main/engine/jobs/job-log.js';

const dataDir = mkdtempSync(join(tmpdir(), 'ganvas-job-log-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('trims a log past its bound to the newest lines, in order', () => {
  const maxBytes = 8 * 1024;
  const logs = openJobLogs(dataDir, maxBytes);
  for (let i = 0; i < 2000; i++) logs.append('chatty', { at: 1_000 + i, message: `line ${i}` });
  const size = statSync(jobLogPath(dataDir, 'chatty')).size;
  expect(size).toBeLessThanOrEqual(maxBytes);
  const { lines, total } = readJobLog(dataDir, 'chatty', 10_000);
  expect(total).toBe(lines.length);
  expect(lines.at(-1)).toEqual({ at: 2_999, message: 'line 1999' });
  expect(lines.length).toBeGreaterThan(50);
  expect(lines.length).toBeLessThan(2000);
  // Consecutive: trimming drops the oldest lines only.
  const numbers = lines.map((line) => Number(line.message.slice(5)));
  numbers.forEach((n, i) => expect(n).toBe(numbers[0]! + i));
  expect(readJobLog(dataDir, 'chatty', 3).lines.map((line) => line.message)).toEqual(['line 1997', 'line 1998', 'line 1999']);
});

it('skips a line cut short by a crash and starts the next one on a fresh line; notices are not kept', () => {
  const first = openJobLogs(dataDir);
  first.append('crashed', { at: 1, message: 'before the crash' });
  first.append('crashed', { at: 2, message: '\u0000ganvas-sample {"step":10,"file":"/x.png"}' });
  appendFileSync(jobLogPath(dataDir, 'crashed'), '{"at":3,"message":"half a li');
  // The next process appends to the same log.
  const second = openJobLogs(dataDir);
  second.append('crashed', { at: 4, message: 'after the restart' });
  expect(readJobLog(dataDir, 'crashed', 100).lines).toEqual([
    { at: 1, message: 'before the crash' },
    { at: 4, message: 'after the restart' },
  ]);
  expect(readFileSync(jobLogPath(dataDir, 'crashed'), 'utf8')).not.toContain('ganvas-sample');
  expect(readJobLog(dataDir, 'never-logged', 100)).toEqual({ lines: [], total: 0 });
});
