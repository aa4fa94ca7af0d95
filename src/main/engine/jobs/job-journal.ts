/**
 * The on-disk list of items a job has finished: `<dataDir>/jobs/<id>.journal.jsonl`.
 *
 * One JSON line per finished item, appended: a folder of 10,000 images costs
 * 10,000 small appends rather than rewriting a growing JSON file each time, and
 * a crash in the middle of a write loses at most the last, partial line (which
 * reading skips), never the whole journal.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobJournal } from './job-kind.js';

export function jobsFolder(dataDir: string): string {
  return join(dataDir, 'jobs');
}

export function journalPath(dataDir: string, jobId: string): string {
  return join(jobsFolder(dataDir), `${jobId}.journal.jsonl`);
}

export function readJournalItems(path: string): string[] {
  if (!existsSync(path)) return [];
  const items: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry: unknown = JSON.parse(line);
      if (typeof entry === 'object' && entry !== null && typeof (entry as { item?: unknown }).item === 'string') {
        items.push((entry as { item: string }).item);
      }
    } catch {
      // A line cut short by a crash: that item was not recorded as done, so it is redone.
    }
  }
  return items;
}

/** False when the file's last line was cut short, so the next entry must start on a new line. */
function endsCleanly(path: string): boolean {
  if (!existsSync(path)) return true;
  const text = readFileSync(path, 'utf8');
  return text === '' || text.endsWith('\n');
}

export function openJobJournal(dataDir: string, jobId: string): JobJournal {
  const path = journalPath(dataDir, jobId);
  const done = new Set(readJournalItems(path));
  let folderReady = false;
  let needsLineBreak = !endsCleanly(path);
  return {
    has: (item) => done.has(item),
    markDone(item) {
      if (done.has(item)) return;
      if (!folderReady) {
        mkdirSync(jobsFolder(dataDir), { recursive: true });
        folderReady = true;
      }
      const line = `${JSON.stringify({ item, at: Date.now() })}\n`;
      appendFileSync(path, needsLineBreak ? `\n${line}` : line);
      needsLineBreak = false;
      done.add(item);
    },
    get doneCount() {
      return done.size;
    },
    items: () => [...done],
  };
}
