/**
 * The studio's one shortcut list: what the `?` sheet shows is exactly what the
 * views match, on both platforms; no scope binds one key twice; and the
 * Doodle view's commands come from the same list.
 */
import { describe, expect, it } from 'vitest';
import { chordsFor, matchShortcut, shortcutKeys, shortcutScopes, shortcutSheet, shortcuts, splitAfterKey, type Chord, type KeyPress } from '../../../src/renderer/src/lib/shortcuts.js';
import { commandForKey } from '../../../src/renderer/src/lib/doodle/shortcuts.js';
import { views } from '../../../src/renderer/src/lib/views.js';

function pressFor(chord: Chord, mac: boolean): KeyPress {
  return {
    key: chord.shift === true && chord.key.length === 1 ? chord.key.toUpperCase() : chord.key,
    ctrlKey: !!chord.mod && !mac,
    metaKey: !!chord.mod && mac,
    shiftKey: chord.shift === true,
    altKey: false,
  };
}

describe('the shortcut list', () => {
  for (const mac of [false, true]) {
    it(`matches every chord the sheet shows to its own shortcut (${mac ? 'Mac' : 'Windows/Linux'})`, () => {
      const sheet = shortcutSheet(mac);
      const rows = sheet.flatMap((section) => section.rows);
      // The sheet lists every shortcut once, under its own scope.
      expect(rows.map((row) => row.id).sort()).toEqual(shortcuts.map((s) => s.id).sort());
      for (const shortcut of shortcuts) {
        const chords = chordsFor(shortcut, mac);
        expect(chords.length, shortcut.id).toBeGreaterThan(0);
        for (const chord of chords) expect(matchShortcut(pressFor(chord, mac), shortcut.scope, mac), `${shortcut.id} ${JSON.stringify(chord)}`).toBe(shortcut.id);
      }
    });

    it(`never binds one key twice in a scope (${mac ? 'Mac' : 'Windows/Linux'})`, () => {
      for (const { id: scope } of shortcutScopes) {
        const seen = new Map<string, string>();
        for (const shortcut of shortcuts.filter((s) => s.scope === scope)) {
          for (const chord of chordsFor(shortcut, mac)) {
            const key = JSON.stringify(pressFor(chord, mac));
            expect(seen.get(key), `${shortcut.id} and ${seen.get(key)} share ${key}`).toBeUndefined();
            seen.set(key, shortcut.id);
          }
        }
      }
    });
  }

  it('has a view shortcut per view, in navigation order', () => {
    views.forEach((view, index) => {
      expect(matchShortcut({ key: String(index + 1), ctrlKey: true, metaKey: false, shiftKey: false, altKey: false }, 'studio')).toBe(`studio.view-${index + 1}`);
    });
    expect(matchShortcut({ key: String(views.length + 1), ctrlKey: true, metaKey: false, shiftKey: false, altKey: false }, 'studio')).toBeUndefined();
  });

  it('opens the sheet with ? (Shift+/ on most layouts), not while a modifier is held', () => {
    expect(matchShortcut({ key: '?', ctrlKey: false, metaKey: false, shiftKey: true, altKey: false }, 'studio')).toBe('studio.shortcuts');
    expect(matchShortcut({ key: '?', ctrlKey: true, metaKey: false, shiftKey: true, altKey: false }, 'studio')).toBeUndefined();
    expect(matchShortcut({ key: 'Escape', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false }, 'studio')).toBe('studio.close');
  });

  it('writes keys for tooltips per platform', () => {
    expect(shortcutKeys('doodle.redo')).toBe('Ctrl+Shift+Z or Ctrl+Y');
    expect(shortcutKeys('doodle.redo', true)).toBe('⌘⇧Z');
    expect(shortcutKeys('gallery-detail.delete')).toBe('Delete');
    expect(shortcutKeys('gallery-detail.delete', true)).toBe('Delete or ⌘⌫');
    expect(shortcutKeys('studio.view-2', true)).toBe('⌘2');
    expect(() => shortcutKeys('no.such')).toThrow(/no shortcut/);
  });

  it('lets held keys repeat only where that makes sense', () => {
    const held = (key: string, extra: Partial<KeyPress> = {}): KeyPress => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, repeat: true, ...extra });
    expect(matchShortcut(held(']'), 'doodle')).toBe('doodle.bigger');
    expect(matchShortcut(held('z', { ctrlKey: true }), 'doodle')).toBe('doodle.undo');
    expect(matchShortcut(held('b'), 'doodle')).toBeUndefined();
    expect(matchShortcut(held('s', { ctrlKey: true }), 'doodle')).toBeUndefined();
  });

  it('moves a before/after split by the listed keys', () => {
    const key = (name: string, shiftKey = false): KeyPress => ({ key: name, ctrlKey: false, metaKey: false, shiftKey, altKey: false });
    expect(splitAfterKey(key('ArrowLeft'), 50)).toBe(48);
    expect(splitAfterKey(key('ArrowUp', true), 50)).toBe(60);
    expect(splitAfterKey(key('PageDown'), 50)).toBe(40);
    expect(splitAfterKey(key('End'), 50)).toBe(100);
    expect(splitAfterKey(key('x'), 50)).toBeUndefined();
  });

  it('drives the Doodle view: each doodle shortcut is a command', () => {
    for (const shortcut of shortcuts.filter((s) => s.scope === 'doodle')) {
      for (const chord of chordsFor(shortcut, false)) expect(commandForKey(pressFor(chord, false)), shortcut.id).toBeDefined();
    }
  });
});
