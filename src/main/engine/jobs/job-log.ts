/**
 * What a job wrote with `ctx.log`, kept on disk: `<dataDir>/jobs/<id>.log.jsonl`,
 * so a reloaded page or a restarted studio can still show why a run stopped.
 *
 * One JSON line per message, appended (like the journal: a crash loses at most
 * the partial last line, which reading skips). Bounded: when a log grows past
 * `maxBytes`, it is rewritten with only its newest lines, about half the bound,
 * so a chatty job can never fill the disk and trimming happens rarely.
 *
 * Lines that start with NUL are notices meant for the API (a new sample grid,
 * see kinds/sample-notice.ts), not text for the user; they are not kept.
 */
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jobsFolder } from './job-journal.js';

export interface JobLogLine {
  at: number;
  message: string;
}

/** 256 KiB keeps about 2,000 typical lines, far more than a view shows. */
export const DEFAULT_JOB_LOG_BYTES = 256 * 1024;
const MESSAGE_MAX = 2000;

export function jobLogPath(dataDir: string, jobId: string): string {
  return join(jobsFolder(dataDir), `${jobId}.log.jsonl`);
}

function parseLines(text: string): JobLogLine[] {
  const lines: JobLogLine[] = [];
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    try {
      const entry = JSON.parse(raw) as Partial<JobLogLine>;
      if (typeof entry.at === 'number' && Number.isFinite(entry.at) && typeof entry.message === 'string') {
        lines.push({ at: Math.trunc(entry.at), message: entry.message });
      }
    } catch {
      // A line cut short by a crash.
    }
  }
  return lines;
}

/** The newest `limit` lines of a job's log, oldest first; none when the job never logged. */
export function readJobLog(dataDir: string, jobId: string, limit: number): { lines: JobLogLine[]; total: number } {
  const path = jobLogPath(dataDir, jobId);
  if (!existsSync(path)) return { lines: [], total: 0 };
  const all = parseLines(readFileSync(path, 'utf8'));
  return { lines: all.slice(Math.max(0, all.length - limit)), total: all.length };
}

export interface JobLogWriter {
  append(jobId: string, line: JobLogLine): void;
  /** Drops what is known about a log whose file was moved (a removed job). */
  forget(jobId: string): void;
}

/** Appends to job logs, trimming each one when it passes `maxBytes`. Sizes are tracked in memory after a first stat. */
export function openJobLogs(dataDir: string, maxBytes = DEFAULT_JOB_LOG_BYTES): JobLogWriter {
  const sizes = new Map<string, number>();
  /** Logs (of an earlier process) whose last line was cut short, so the next line must start on a new one. */
  const cutShort = new Set<string>();
  let folderReady = false;

  function sizeOf(path: string, jobId: string): number {
    let size = sizes.get(jobId);
    if (size === undefined) {
      try {
        size = statSync(path).size;
      } catch {
        size = 0;
      }
      if (size > 0 && lastByte(path, size) !== 0x0a) cutShort.add(jobId);
      sizes.set(jobId, size);
    }
    return size;
  }

  function trim(path: string, jobId: string): void {
    const lines = parseLines(readFileSync(path, 'utf8'));
    const kept: string[] = [];
    let bytes = 0;
    for (let i = lines.length - 1; i >= 0; i--) {
      const text = `${JSON.stringify(lines[i])}\n`;
      if (bytes + Buffer.byteLength(text) > maxBytes / 2) break;
      kept.push(text);
      bytes += Buffer.byteLength(text);
    }
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, kept.reverse().join(''));
    renameSync(temporary, path);
    sizes.set(jobId, bytes);
  }

  return {
    append(jobId, line) {
      if (line.message.startsWith('\u0000')) return;
      if (!folderReady) {
        mkdirSync(jobsFolder(dataDir), { recursive: true });
        folderReady = true;
      }
      const path = jobLogPath(dataDir, jobId);
      const before = sizeOf(path, jobId);
      const text = `${cutShort.delete(jobId) ? '\n' : ''}${JSON.stringify({ at: line.at, message: line.message.slice(0, MESSAGE_MAX) })}\n`;
      appendFileSync(path, text);
      const after = before + Buffer.byteLength(text);
      sizes.set(jobId, after);
      if (after > maxBytes) trim(path, jobId);
    },
    forget(jobId) {
      sizes.delete(jobId);
      cutShort.delete(jobId);
    },
  };
}

function lastByte(path: string, size: number): number | undefined {
  const buffer = Buffer.alloc(1);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    return readSync(fd, buffer, 0, 1, size - 1) === 1 ? buffer[0] : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
