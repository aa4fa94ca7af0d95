/**
 * The loss history of a run: one JSON line per step in `<runDir>/losses.jsonl`.
 * A line cut short by a crash is skipped on reading; on resume, entries past
 * the checkpoint's step are dropped, since those steps will be trained again.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { LOSS_HISTORY_FILE } from './checkpoint.js';

export interface LossEntry {
  step: number;
  losses: Record<string, number>;
  lr: Record<string, number>;
}

function lossFile(runDir: string): string {
  return path.join(runDir, LOSS_HISTORY_FILE);
}

function parseLine(line: string): LossEntry | null {
  try {
    const value = JSON.parse(line) as Partial<LossEntry>;
    if (typeof value.step !== 'number' || typeof value.losses !== 'object' || value.losses === null) return null;
    return { step: value.step, losses: value.losses, lr: value.lr ?? {} };
  } catch {
    return null;
  }
}

/** Entries in step order; with `beforeStep`, only those of steps before it. */
export async function readLossHistory(runDir: string, beforeStep = Infinity): Promise<LossEntry[]> {
  let text: string;
  try {
    text = await fs.readFile(lossFile(runDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries: LossEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const entry = parseLine(line);
    if (entry !== null && entry.step < beforeStep) entries.push(entry);
  }
  return entries;
}

/** Keeps only the entries of steps before `step` (all of them when the file is new). */
export async function truncateLossHistory(runDir: string, step: number): Promise<void> {
  const kept = await readLossHistory(runDir, step);
  const temp = `${lossFile(runDir)}.tmp-${process.pid}`;
  await fs.writeFile(temp, kept.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
  await fs.rename(temp, lossFile(runDir));
}

/** Collects entries in memory and appends them in batches, so a step costs no file write. */
export class LossLog {
  private pending: LossEntry[] = [];

  constructor(private readonly runDir: string) {}

  add(entry: LossEntry): void {
    this.pending.push(entry);
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const lines = this.pending.map((entry) => `${JSON.stringify(entry)}\n`).join('');
    this.pending = [];
    await fs.appendFile(lossFile(this.runDir), lines);
  }
}
