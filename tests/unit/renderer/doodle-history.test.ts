import { describe, expect, it } from 'vitest';
import { SnapshotHistory } from '../../../src/renderer/src/lib/doodle/history.js';

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
