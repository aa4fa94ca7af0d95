/**
 * Keeps the result pane in step with the sketch: schedules translations as
 * the sketch changes (see change-schedule.ts), numbers them (latest-wins.ts),
 * and keeps at most `maxInFlight` requests on the wire so a busy machine
 * (training in the background) is not flooded; the sketch is captured when a
 * request is sent, so a request that had to wait still carries the latest drawing.
 */
import { createChangeSchedule, type ChangeScheduleOptions } from './change-schedule.js';
import { LatestWins } from './latest-wins.js';

export interface LiveTranslationOptions<Input, Result> extends ChangeScheduleOptions {
  /** The sketch as it is now; returns undefined when there is nothing to translate (e.g. no model). */
  capture: () => Input | undefined;
  translate: (input: Input) => Promise<Result>;
  show: (shown: { result: Result; input: Input; seq: number }) => void;
  fail: (error: unknown, seq: number) => void;
  /** Called whenever `pending` may have changed. */
  update?: () => void;
  maxInFlight?: number;
}

export interface LiveTranslation {
  changed(): void;
  /** Sends the latest sketch now unless it is already sent, and waits until the newest request settles. */
  settle(): Promise<void>;
  /** A newer result than the one shown is on its way or waiting to be sent. */
  readonly pending: boolean;
  readonly shownSeq: number;
  stop(): void;
}

export function createLiveTranslation<Input, Result>(options: LiveTranslationOptions<Input, Result>): LiveTranslation {
  const maxInFlight = options.maxInFlight ?? 2;
  const sequence = new LatestWins();
  let queued = false;
  let stopped = false;
  const settledWaiters = new Set<() => void>();

  const notify = () => {
    options.update?.();
    if (!queued && !schedule.waiting && sequence.inFlight === 0) {
      for (const done of [...settledWaiters]) done();
      settledWaiters.clear();
    }
  };

  const send = () => {
    if (stopped) return;
    if (sequence.inFlight >= maxInFlight) {
      queued = true;
      notify();
      return;
    }
    queued = false;
    const input = options.capture();
    if (input === undefined) {
      notify();
      return;
    }
    const seq = sequence.issue();
    notify();
    options.translate(input).then(
      (result) => {
        if (stopped) return;
        if (sequence.resolve(seq)) options.show({ result, input, seq });
        afterSettle();
      },
      (error: unknown) => {
        if (stopped) return;
        if (sequence.reject(seq)) options.fail(error, seq);
        afterSettle();
      },
    );
  };

  const afterSettle = () => {
    if (queued) send();
    else notify();
  };

  const schedule = createChangeSchedule(send, options);

  return {
    changed() {
      if (stopped) return;
      schedule.changed();
      notify();
    },
    settle() {
      if (!schedule.flush() && !queued && sequence.inFlight === 0) return Promise.resolve();
      return new Promise<void>((done) => {
        settledWaiters.add(done);
        notify();
      });
    },
    get pending() {
      return queued || schedule.waiting || sequence.pending;
    },
    get shownSeq() {
      return sequence.shown;
    },
    stop() {
      stopped = true;
      schedule.cancel();
      for (const done of settledWaiters) done();
      settledWaiters.clear();
    },
  };
}
