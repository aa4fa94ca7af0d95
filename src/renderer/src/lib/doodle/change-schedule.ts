/**
 * When to re-translate while the user draws: `quietMs` after the last change
 * (so a finished stroke is translated promptly), and at least every
 * `maxWaitMs` while changes keep coming (so a long stroke shows progress
 * without asking for a translation on every pointer move).
 */
export interface ChangeScheduleOptions {
  quietMs?: number;
  maxWaitMs?: number;
}

export interface ChangeSchedule {
  /** The sketch changed. */
  changed(): void;
  /** Fire now if a change is waiting; returns whether it fired. */
  flush(): boolean;
  /** Forget a waiting change. */
  cancel(): void;
  readonly waiting: boolean;
}

export const liveQuietMs = 150;
export const liveMaxWaitMs = 400;

export function createChangeSchedule(fire: () => void, options: ChangeScheduleOptions = {}): ChangeSchedule {
  const quietMs = options.quietMs ?? liveQuietMs;
  const maxWaitMs = options.maxWaitMs ?? liveMaxWaitMs;
  let quietTimer: ReturnType<typeof setTimeout> | undefined;
  let maxWaitTimer: ReturnType<typeof setTimeout> | undefined;
  let waiting = false;

  const clearTimers = () => {
    clearTimeout(quietTimer);
    clearTimeout(maxWaitTimer);
    quietTimer = maxWaitTimer = undefined;
  };

  const run = () => {
    clearTimers();
    if (!waiting) return;
    waiting = false;
    fire();
  };

  return {
    changed() {
      waiting = true;
      clearTimeout(quietTimer);
      quietTimer = setTimeout(run, quietMs);
      // The max-wait clock starts at the first change not yet translated.
      maxWaitTimer ??= setTimeout(run, maxWaitMs);
    },
    flush() {
      const had = waiting;
      run();
      return had;
    },
    cancel() {
      waiting = false;
      clearTimers();
    },
    get waiting() {
      return waiting;
    },
  };
}
