import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createChangeSchedule } from '../../../src/renderer/src/lib/doodle/change-schedule.js';
import { LatestWins } from '../../../src/renderer/src/lib/doodle/latest-wins.js';
import { createLiveTranslation } from '../../../src/renderer/src/lib/doodle/live-translation.js';

describe('latest-wins sequencer', () => {
  it('drops a response older than the one shown, whatever order they arrive in', () => {
    const sequence = new LatestWins();
    const first = sequence.issue();
    const second = sequence.issue();
    const third = sequence.issue();
    expect(sequence.pending).toBe(true);
    expect(sequence.resolve(third)).toBe(true);
    expect(sequence.shown).toBe(third);
    expect(sequence.pending).toBe(false);
    expect(sequence.resolve(first)).toBe(false);
    expect(sequence.resolve(second)).toBe(false);
    expect(sequence.shown).toBe(third);
    expect(sequence.inFlight).toBe(0);
  });

  it('shows an older response that still beats what is on screen, and stays pending for the newer one', () => {
    const sequence = new LatestWins();
    const first = sequence.issue();
    const second = sequence.issue();
    expect(sequence.resolve(first)).toBe(true);
    expect(sequence.pending).toBe(true);
    expect(sequence.resolve(second)).toBe(true);
    expect(sequence.pending).toBe(false);
  });

  it('reports only the error of the newest request', () => {
    const sequence = new LatestWins();
    const first = sequence.issue();
    const second = sequence.issue();
    expect(sequence.reject(first)).toBe(false);
    expect(sequence.reject(second)).toBe(true);
    expect(sequence.pending).toBe(false);
  });
});

describe('change schedule (debounce with a max wait)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fires 150 ms after the last change of a short burst', () => {
    const fire = vi.fn();
    const schedule = createChangeSchedule(fire);
    schedule.changed();
    vi.advanceTimersByTime(100);
    schedule.changed();
    vi.advanceTimersByTime(149);
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fire).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(2000);
    expect(fire).toHaveBeenCalledTimes(1);
    expect(schedule.waiting).toBe(false);
  });

  it('fires every 400 ms during a long stroke, then once more after it ends', () => {
    const fire = vi.fn();
    const schedule = createChangeSchedule(fire);
    const firedAt: number[] = [];
    fire.mockImplementation(() => firedAt.push(Date.now() - start));
    const start = Date.now();
    // A pointer move every 16 ms for 1.3 s.
    for (let t = 0; t <= 1300; t += 16) {
      schedule.changed();
      vi.advanceTimersByTime(16);
    }
    const strokeEnd = Date.now() - start;
    vi.advanceTimersByTime(1000);
    // At most every 400 ms while drawing (never more often)...
    const during = firedAt.filter((t) => t < strokeEnd);
    expect(during.length).toBe(3);
    for (let i = 1; i < firedAt.length; i++) expect(firedAt[i]! - firedAt[i - 1]!).toBeGreaterThanOrEqual(150);
    for (let i = 1; i < during.length; i++) expect(during[i]! - during[i - 1]!).toBeGreaterThanOrEqual(400);
    // ...and the final drawing is always translated, 150 ms after the last move.
    expect(firedAt.at(-1)).toBe(strokeEnd - 16 + 150);
  });

  it('flush fires at once only if something is waiting; cancel forgets', () => {
    const fire = vi.fn();
    const schedule = createChangeSchedule(fire);
    expect(schedule.flush()).toBe(false);
    schedule.changed();
    expect(schedule.flush()).toBe(true);
    expect(fire).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    expect(fire).toHaveBeenCalledTimes(1);
    schedule.changed();
    schedule.cancel();
    vi.advanceTimersByTime(1000);
    expect(fire).toHaveBeenCalledTimes(1);
  });
});

/** A translate function whose responses the test releases by hand, in any order. */
function controlledServer() {
  const calls: { input: string; resolve: (value: string) => void; reject: (error: Error) => void }[] = [];
  const translate = (input: string) =>
    new Promise<string>((resolve, reject) => {
      calls.push({ input, resolve, reject });
    });
  return { calls, translate };
}

describe('live translation', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('never lets a stale response overwrite a newer result', async () => {
    const server = controlledServer();
    let sketch = 'stroke 1';
    const shown: { result: string; input: string; seq: number }[] = [];
    const live = createLiveTranslation({ capture: () => sketch, translate: server.translate, show: (s) => shown.push(s), fail: () => {} });
    live.changed();
    vi.advanceTimersByTime(150);
    sketch = 'stroke 2';
    live.changed();
    vi.advanceTimersByTime(150);
    expect(server.calls.map((call) => call.input)).toEqual(['stroke 1', 'stroke 2']);
    expect(live.pending).toBe(true);
    // The newer request comes back first...
    server.calls[1]!.resolve('result 2');
    await vi.advanceTimersByTimeAsync(0);
    expect(shown.map((s) => s.result)).toEqual(['result 2']);
    expect(live.shownSeq).toBe(2);
    expect(live.pending).toBe(false);
    // ...and the older one, arriving late, is dropped.
    server.calls[0]!.resolve('result 1');
    await vi.advanceTimersByTimeAsync(0);
    expect(shown.map((s) => s.result)).toEqual(['result 2']);
    expect(shown[0]!.input).toBe('stroke 2');
    live.stop();
  });

  it('keeps at most two requests on the wire and sends the latest sketch when one returns', async () => {
    const server = controlledServer();
    let sketch = 0;
    const shown: string[] = [];
    const live = createLiveTranslation({ capture: () => `v${sketch}`, translate: server.translate, show: (s) => shown.push(s.result), fail: () => {} });
    for (sketch = 1; sketch <= 5; sketch++) {
      live.changed();
      vi.advanceTimersByTime(150);
    }
    sketch = 5;
    expect(server.calls.map((call) => call.input)).toEqual(['v1', 'v2']);
    expect(live.pending).toBe(true);
    server.calls[0]!.resolve('r1');
    await vi.advanceTimersByTimeAsync(0);
    // The waiting request went out with the drawing as it is now, not as it was when it was scheduled.
    expect(server.calls.map((call) => call.input)).toEqual(['v1', 'v2', 'v5']);
    server.calls[2]!.resolve('r5');
    await vi.advanceTimersByTimeAsync(0);
    server.calls[1]!.resolve('r2');
    await vi.advanceTimersByTimeAsync(0);
    expect(shown).toEqual(['r1', 'r5']);
    expect(live.pending).toBe(false);
    live.stop();
  });

  it('settle sends the latest sketch at once and waits for it; errors of the newest request are reported', async () => {
    const server = controlledServer();
    let sketch = 'a';
    const shown: string[] = [];
    const failures: string[] = [];
    const live = createLiveTranslation({
      capture: () => sketch,
      translate: server.translate,
      show: (s) => shown.push(s.result),
      fail: (error) => failures.push((error as Error).message),
    });
    live.changed();
    let settled = false;
    const waiting = live.settle().then(() => (settled = true));
    expect(server.calls.map((call) => call.input)).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    server.calls[0]!.resolve('A');
    await waiting;
    expect(shown).toEqual(['A']);

    sketch = 'b';
    live.changed();
    vi.advanceTimersByTime(150);
    server.calls[1]!.reject(new Error('model file is damaged'));
    await vi.advanceTimersByTimeAsync(0);
    expect(failures).toEqual(['model file is damaged']);
    expect(live.pending).toBe(false);
    await expect(live.settle()).resolves.toBeUndefined();
    live.stop();
  });

  it('sends nothing while there is nothing to translate', () => {
    const server = controlledServer();
    const live = createLiveTranslation({ capture: () => undefined, translate: server.translate, show: () => {}, fail: () => {} });
    live.changed();
    vi.advanceTimersByTime(1000);
    expect(server.calls).toHaveLength(0);
    expect(live.pending).toBe(false);
    live.stop();
  });
});
