import { describe, expect, it } from 'vitest';
import { SnapshotHistory } from '../../../src/renderer/src/lib/doodle/history.js';
import { keptRange } from '../../../src/renderer/src/lib/doodle/kept-doodle.js';

describe('doodle history', () => {
  it('undoes and redoes in order, and an edit after undo drops the redo branch', () => {
    const history = new SnapshotHistory('blank');
    expect(history.canUndo).toBe(false);
    expect(history.undo()).toBeUndefined();
    history.push('stroke 1');
    history.push('stroke 2');
    expect(history.current).toBe('stroke 2');
    expect(history.undo()).toBe('stroke 1');
    expect(history.undo()).toBe('blank');
    expect(history.canUndo).toBe(false);
    expect(history.redo()).toBe('stroke 1');
    expect(history.canRedo).toBe(true);
    history.push('fill');
    expect(history.canRedo).toBe(false);
    expect(history.redo()).toBeUndefined();
    expect(history.undo()).toBe('stroke 1');
    expect(history.undo()).toBe('blank');
  });

  it('keeps exactly `limit` undo steps, forgetting the oldest', () => {
    const history = new SnapshotHistory(0, 50);
    for (let step = 1; step <= 80; step++) history.push(step);
    expect(history.undoDepth).toBe(50);
    let last: number | undefined;
    let undone = 0;
    while (history.canUndo) {
      last = history.undo();
      undone++;
    }
    expect(undone).toBe(50);
    // 80 states were pushed; the 50 newest edits are undoable, so the oldest reachable one is state 30.
    expect(last).toBe(30);
    for (let step = 0; step < 50; step++) history.redo();
    expect(history.current).toBe(80);
  });

  it('reset forgets everything', () => {
    const history = new SnapshotHistory('a');
    history.push('b');
    history.reset('resized');
    expect(history.current).toBe('resized');
    expect(history.canUndo).toBe(false);
    expect(history.canRedo).toBe(false);
  });

  it('rejects a nonsense limit', () => {
    expect(() => new SnapshotHistory('a', 0)).toThrow(/positive whole number/);
  });
});

describe('keeping the doodle for a reload', () => {
  it('loads a whole history back, keeping the newest states when there are too many', () => {
    const history = new SnapshotHistory<number>(0, 3);
    history.load([1, 2, 3], 1);
    expect(history.current).toBe(2);
    expect(history.canUndo && history.canRedo).toBe(true);
    expect(history.states).toEqual({ states: [1, 2, 3], index: 1 });
    history.load([1, 2, 3, 4, 5, 6], 5);
    expect(history.states).toEqual({ states: [3, 4, 5, 6], index: 3 });
    expect(() => history.load([], 0)).toThrow(RangeError);
    expect(() => history.load([1], 1)).toThrow(RangeError);
  });

  it('keeps the current state always, then the newest undo steps, then the nearest redo steps, within the byte budget', () => {
    expect(keptRange([10, 10, 10, 10, 10], 2, 1000)).toEqual({ start: 0, end: 5 });
    expect(keptRange([10, 10, 10, 10, 10], 2, 30)).toEqual({ start: 0, end: 3 });
    expect(keptRange([10, 10, 10, 10, 10], 2, 45)).toEqual({ start: 0, end: 4 });
    expect(keptRange([10, 10, 10, 10, 10], 4, 25)).toEqual({ start: 3, end: 5 });
    expect(keptRange([10, 10, 10, 10, 10], 0, 25)).toEqual({ start: 0, end: 2 });
    // Undo steps before redo steps; over budget on its own, the current drawing is still kept.
    expect(keptRange([60, 30, 60], 1, 100)).toEqual({ start: 0, end: 2 });
    expect(keptRange([10, 500, 10], 1, 100)).toEqual({ start: 1, end: 2 });
  });
});
