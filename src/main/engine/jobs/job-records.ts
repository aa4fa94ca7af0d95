/**
 * Job records on disk: `<dataDir>/jobs/<id>.json`, one per job, so the job list
 * survives a restart and a failed or cancelled job can be resumed with its params.
 *
 * Written by the main thread only (the worker writes the separate journal), with
 * write-to-temp-then-rename so a crash never leaves half a record.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jobsFolder } from './job-journal.js';
import { JobRecord } from './types.js';

export function recordPath(dataDir: string, jobId: string): string {
  return join(jobsFolder(dataDir), `${jobId}.json`);
}

export function saveJobRecord(dataDir: string, record: JobRecord): void {
  mkdirSync(jobsFolder(dataDir), { recursive: true });
  const path = recordPath(dataDir, record.info.id);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(record));
  renameSync(temporary, path);
}

/** Every readable record; unreadable ones are reported through `warn` and skipped. */
export function loadJobRecords(dataDir: string, warn: (message: string) => void): JobRecord[] {
  let names: string[];
  try {
    names = readdirSync(jobsFolder(dataDir));
  } catch {
    return [];
  }
  const records: JobRecord[] = [];
  for (const name of names) {
    if (!/^[a-z0-9][a-z0-9-]*\.json$/.test(name)) continue;
    const path = join(jobsFolder(dataDir), name);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      warn(`${path}: not a readable job record (${error instanceof Error ? error.message : String(error)}); skipped`);
      continue;
    }
    const parsed = JobRecord.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      warn(`${path}: not a valid job record (${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'}); skipped`);
      continue;
    }
    if (`${parsed.data.info.id}.json` !== name) {
      warn(`${path}: record is for job '${parsed.data.info.id}', not the file's name; skipped`);
      continue;
    }
    records.push(parsed.data);
  }
  return records;
}

/** One job's record, for taking back a job whose files were moved back from the trash. */
export function loadJobRecord(dataDir: string, jobId: string): JobRecord {
  const path = recordPath(dataDir, jobId);
  const parsed = JobRecord.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success || parsed.data.info.id !== jobId) throw new Error(`${path}: not a valid record of job '${jobId}'`);
  return parsed.data;
}
