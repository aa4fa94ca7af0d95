/**
 * The loss history of a run: one JSON line per step in `<runDir>/losses.jsonl`.
 * A line cut short by a crash is skipped on reading; on resume, entries past
 * the checkpoint's step are dropped, since those steps will be trained again.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { LossPoint } from '../../../shared/contract.js';

/** The file in a run folder; kept here so reading it never loads tfjs (the main process reads it for train.history). */
export const LOSS_HISTORY_FILE = 'losses.jsonl';

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

/**
 * The history as one curve per loss with at most `maxPoints` points: runs of
 * consecutive steps are averaged into one point at the run's last step, so a
 * 100,000-step run draws as quickly as a short one and batch-1 noise is
 * smoothed the same way everywhere. Short histories come back as they are.
 */
export function summariseLossHistory(entries: readonly LossEntry[], maxPoints: number): Record<string, LossPoint[]> {
  if (!Number.isInteger(maxPoints) || maxPoints < 1) throw new RangeError(`maxPoints must be a positive whole number, got ${maxPoints}`);
  const per = Math.max(1, Math.ceil(entries.length / maxPoints));
  const curves: Record<string, LossPoint[]> = {};
  for (let start = 0; start < entries.length; start += per) {
    const bucket = entries.slice(start, start + per);
    const step = bucket[bucket.length - 1]!.step;
    const sums = new Map<string, { total: number; count: number }>();
    for (const entry of bucket) {
      for (const [name, value] of Object.entries(entry.losses)) {
        if (!Number.isFinite(value)) continue;
        const sum = sums.get(name) ?? { total: 0, count: 0 };
        sum.total += value;
        sum.count += 1;
        sums.set(name, sum);
      }
    }
    for (const [name, { total, count }] of sums) (curves[name] ??= []).push({ step, value: total / count });
  }
  return curves;
}
