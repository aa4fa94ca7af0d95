/**
 * What the train/eval/dataset commands write to, so tests can run them
 * in-process and read what a user would see.
 */
export interface CommandOutput {
  out(text: string): void;
  err(text: string): void;
  /** A terminal gets one progress line rewritten with \r; a log file gets plain lines. */
  isTTY: boolean;
  /** Aborting it is Ctrl+C; by default SIGINT aborts it. */
  signal?: AbortSignal;
}

export const consoleOutput = (): CommandOutput => ({
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stdout.isTTY),
});

export { UsageError } from './usage.js';

/** "1 h 05 min", "3 min 20 s", "12 s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${s} s`;
}
