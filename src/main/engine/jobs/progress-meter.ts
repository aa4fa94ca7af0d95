/**
 * Turns a job's "done so far" reports into a rate and an ETA.
 *
 * The rate is an exponential moving average weighted by elapsed time
 * (alpha = 1 - exp(-dt / tau)), so irregular report intervals weigh in
 * proportion to the time they cover, and the estimate follows a job whose
 * speed changes (e.g. the first steps of training are slower while kernels warm up)
 * within about `tau` seconds. Time spent paused is left out.
 */
import type { JobProgress } from './types.js';

export interface ProgressReport {
  done: number;
  total?: number;
  unit?: string;
  message?: string;
  losses?: Record<string, number>;
}

export interface ProgressMeterOptions {
  /** Seconds over which older rate samples fade; default 5. */
  tauSeconds?: number;
  now?: () => number;
}

export function emptyProgress(unit = 'step'): JobProgress {
  return { done: 0, total: 0, unit, fraction: 0, etaSeconds: null, rate: null };
}

export class ProgressMeter {
  private readonly tauMs: number;
  private readonly now: () => number;
  private lastTime: number;
  private lastDone: number;
  private rate: number | null = null;
  private pausedAt: number | null = null;
  private current: JobProgress;

  constructor(options: ProgressMeterOptions = {}, startFrom: JobProgress = emptyProgress()) {
    this.tauMs = (options.tauSeconds ?? 5) * 1000;
    this.now = options.now ?? (() => performance.now());
    this.lastTime = this.now();
    this.lastDone = startFrom.done;
    // A resumed job starts measuring afresh: the old rate may be from another session.
    this.current = { ...startFrom, etaSeconds: null, rate: null };
  }

  get progress(): JobProgress {
    return this.current;
  }

  report(report: ProgressReport): JobProgress {
    if (!Number.isFinite(report.done) || report.done < 0) {
      throw new RangeError(`progress 'done' must be a finite number ≥ 0, got ${report.done}`);
    }
    if (report.total !== undefined && (!Number.isFinite(report.total) || report.total < 0)) {
      throw new RangeError(`progress 'total' must be a finite number ≥ 0, got ${report.total}`);
    }
    const t = this.pausedAt ?? this.now();
    const dt = t - this.lastTime;
    const delta = report.done - this.lastDone;
    if (delta > 0 && dt > 0) {
      const sample = (delta * 1000) / dt;
      const alpha = this.rate === null ? 1 : 1 - Math.exp(-dt / this.tauMs);
      this.rate = this.rate === null ? sample : alpha * sample + (1 - alpha) * this.rate;
      this.lastTime = t;
      this.lastDone = report.done;
    } else if (delta < 0) {
      // The job restarted its count (e.g. a new phase): measure from here.
      this.lastTime = t;
      this.lastDone = report.done;
    }
    const total = report.total ?? this.current.total;
    const done = report.done;
    const remaining = Math.max(0, total - done);
    const next: JobProgress = {
      done,
      total,
      unit: report.unit ?? this.current.unit,
      fraction: total > 0 ? Math.min(1, done / total) : 0,
      rate: this.rate,
      etaSeconds: this.rate !== null && this.rate > 0 && total > 0 ? remaining / this.rate : null,
    };
    const message = report.message ?? this.current.message;
    if (message !== undefined) next.message = message;
    const losses = report.losses ?? this.current.losses;
    if (losses !== undefined) next.losses = { ...losses };
    this.current = next;
    return next;
  }

  pause(): void {
    if (this.pausedAt === null) this.pausedAt = this.now();
  }

  resume(): void {
    if (this.pausedAt === null) return;
    this.lastTime += this.now() - this.pausedAt;
    this.pausedAt = null;
  }
}
