/**
 * Every keyboard shortcut of the studio, in one list. The views and widgets
 * ask `matchShortcut` what a key press means in their scope, tooltips take
 * their key text from `shortcutKeys`, and the sheet that `?` opens lists this
 * same table: a binding cannot change without the sheet changing with it.
 *
 * Pure data and functions (no DOM), so the bindings are tested without a page.
 */
import { views } from './views.js';

export const shortcutScopes = [
  { id: 'studio', title: 'Everywhere' },
  { id: 'doodle', title: 'Doodle' },
  { id: 'translate', title: 'Translate' },
  { id: 'compare', title: 'Before/after sliders (Translate, Upscale, Gallery)' },
  { id: 'zoom', title: 'Upscale: the zoomable comparison' },
  { id: 'train', title: 'Train' },
  { id: 'gallery', title: 'Gallery' },
  { id: 'gallery-grid', title: 'Gallery: the grid (when an item has focus)' },
  { id: 'gallery-detail', title: 'Gallery: an open item' },
  { id: 'models', title: 'Models' },
] as const;
export type ShortcutScope = (typeof shortcutScopes)[number]['id'];

export interface Chord {
  /** KeyboardEvent.key; letters match either case. */
  key: string;
  /** Ctrl, or ⌘ on a Mac. */
  mod?: boolean;
  /** true: Shift must be down; 'any': either way (it changes the step, or the key needs it, like ?); default: up. */
  shift?: boolean | 'any';
  /** Only on a Mac (⌘⌫ deletes there) or only elsewhere. */
  platform?: 'mac' | 'other';
}

export interface Shortcut {
  id: string;
  scope: ShortcutScope;
  /** What it does, in the user's words. */
  action: string;
  /** Any of these; the sheet shows them joined by "or". */
  chords: readonly Chord[];
  /** Held down, it repeats (brush size, undo); other keys act once per press. */
  repeats?: boolean;
}

const viewShortcuts: Shortcut[] = views.map((view, index) => ({
  id: `studio.view-${index + 1}`,
  scope: 'studio',
  action: `Go to ${view.label}`,
  chords: [{ key: String(index + 1), mod: true }],
}));

const undoDelete = (scope: ShortcutScope, what: string): Shortcut => ({
  id: `${scope}.undo-delete`,
  scope,
  action: `Undo deleting ${what} (while the Undo notice shows)`,
  chords: [{ key: 'z', mod: true }],
});

export const shortcuts: readonly Shortcut[] = [
  ...viewShortcuts,
  { id: 'studio.shortcuts', scope: 'studio', action: 'Show these shortcuts', chords: [{ key: '?', shift: 'any' }] },
  { id: 'studio.close', scope: 'studio', action: 'Close this sheet, an open item or a menu', chords: [{ key: 'Escape' }] },

  { id: 'doodle.brush', scope: 'doodle', action: 'Brush', chords: [{ key: 'b' }] },
  { id: 'doodle.eraser', scope: 'doodle', action: 'Eraser', chords: [{ key: 'e' }] },
  { id: 'doodle.line', scope: 'doodle', action: 'Line (hold Shift while dragging to snap to 45°)', chords: [{ key: 'l' }] },
  { id: 'doodle.fill', scope: 'doodle', action: 'Fill', chords: [{ key: 'g' }] },
  { id: 'doodle.smaller', scope: 'doodle', action: 'Smaller brush', chords: [{ key: '[' }], repeats: true },
  { id: 'doodle.bigger', scope: 'doodle', action: 'Bigger brush', chords: [{ key: ']' }], repeats: true },
  { id: 'doodle.undo', scope: 'doodle', action: 'Undo', chords: [{ key: 'z', mod: true }], repeats: true },
  {
    id: 'doodle.redo',
    scope: 'doodle',
    action: 'Redo',
    chords: [
      { key: 'z', mod: true, shift: true },
      { key: 'y', mod: true, platform: 'other' },
    ],
    repeats: true,
  },
  { id: 'doodle.save', scope: 'doodle', action: 'Save the sketch and its result to the Gallery', chords: [{ key: 's', mod: true }] },

  { id: 'translate.save', scope: 'translate', action: 'Save the selected result to the Gallery', chords: [{ key: 's', mod: true }] },

  { id: 'compare.left', scope: 'compare', action: 'Move the split left (Shift: a bigger step)', chords: [{ key: 'ArrowLeft', shift: 'any' }, { key: 'ArrowDown', shift: 'any' }], repeats: true },
  { id: 'compare.right', scope: 'compare', action: 'Move the split right (Shift: a bigger step)', chords: [{ key: 'ArrowRight', shift: 'any' }, { key: 'ArrowUp', shift: 'any' }], repeats: true },
  { id: 'compare.page-left', scope: 'compare', action: 'Move the split left by a tenth', chords: [{ key: 'PageDown' }], repeats: true },
  { id: 'compare.page-right', scope: 'compare', action: 'Move the split right by a tenth', chords: [{ key: 'PageUp' }], repeats: true },
  { id: 'compare.start', scope: 'compare', action: 'Move the split to the left edge', chords: [{ key: 'Home' }] },
  { id: 'compare.end', scope: 'compare', action: 'Move the split to the right edge', chords: [{ key: 'End' }] },

  { id: 'zoom.in', scope: 'zoom', action: 'Zoom in', chords: [{ key: '+', shift: 'any' }, { key: '=' }], repeats: true },
  { id: 'zoom.out', scope: 'zoom', action: 'Zoom out', chords: [{ key: '-' }], repeats: true },
  { id: 'zoom.fit', scope: 'zoom', action: 'Fit the whole picture', chords: [{ key: '0' }] },

  undoDelete('train', 'a run'),

  { id: 'gallery.search', scope: 'gallery', action: 'Search', chords: [{ key: '/', shift: 'any' }] },
  undoDelete('gallery', 'items'),

  { id: 'gallery-grid.right', scope: 'gallery-grid', action: 'Next item', chords: [{ key: 'ArrowRight' }], repeats: true },
  { id: 'gallery-grid.left', scope: 'gallery-grid', action: 'Previous item', chords: [{ key: 'ArrowLeft' }], repeats: true },
  { id: 'gallery-grid.down', scope: 'gallery-grid', action: 'Item below', chords: [{ key: 'ArrowDown' }], repeats: true },
  { id: 'gallery-grid.up', scope: 'gallery-grid', action: 'Item above', chords: [{ key: 'ArrowUp' }], repeats: true },
  { id: 'gallery-grid.page-down', scope: 'gallery-grid', action: 'A screen down', chords: [{ key: 'PageDown' }], repeats: true },
  { id: 'gallery-grid.page-up', scope: 'gallery-grid', action: 'A screen up', chords: [{ key: 'PageUp' }], repeats: true },
  { id: 'gallery-grid.first', scope: 'gallery-grid', action: 'First item', chords: [{ key: 'Home' }] },
  { id: 'gallery-grid.last', scope: 'gallery-grid', action: 'Last item', chords: [{ key: 'End' }] },

  { id: 'gallery-detail.close', scope: 'gallery-detail', action: 'Close the item', chords: [{ key: 'Escape' }] },
  { id: 'gallery-detail.previous', scope: 'gallery-detail', action: 'Previous item', chords: [{ key: 'ArrowLeft', shift: 'any' }] },
  { id: 'gallery-detail.next', scope: 'gallery-detail', action: 'Next item', chords: [{ key: 'ArrowRight', shift: 'any' }] },
  { id: 'gallery-detail.favourite', scope: 'gallery-detail', action: 'Favourite on/off', chords: [{ key: 'f', shift: 'any' }] },
  {
    id: 'gallery-detail.delete',
    scope: 'gallery-detail',
    action: 'Delete the item (Undo brings it back)',
    chords: [{ key: 'Delete', shift: 'any' }, { key: 'Backspace', mod: true, platform: 'mac' }],
  },

  undoDelete('models', 'a model'),
];

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  repeat?: boolean;
}

function chordMatches(chord: Chord, press: KeyPress, mac: boolean): boolean {
  if (chord.platform === 'mac' && !mac) return false;
  if (chord.platform === 'other' && mac) return false;
  if (press.altKey) return false;
  if (chord.mod) {
    if (!(mac ? press.metaKey : press.ctrlKey)) return false;
  } else if (press.ctrlKey || press.metaKey) {
    return false;
  }
  if (chord.shift === true && !press.shiftKey) return false;
  if ((chord.shift === undefined || chord.shift === false) && press.shiftKey) return false;
  return chord.key.length === 1 ? press.key.toLowerCase() === chord.key.toLowerCase() : press.key === chord.key;
}

/**
 * The shortcut a key press means in `scope`, if any. A held key's repeats
 * count only for shortcuts that repeat, so holding B does not re-pick the brush.
 */
export function matchShortcut(press: KeyPress, scope: ShortcutScope, mac = false): string | undefined {
  const found = shortcuts.find((shortcut) => shortcut.scope === scope && shortcut.chords.some((chord) => chordMatches(chord, press, mac)));
  if (!found || (press.repeat && !found.repeats)) return undefined;
  return found.id;
}

const keyNames: Record<string, string> = {
  ArrowLeft: '←',
  ArrowRight: '→',
  ArrowUp: '↑',
  ArrowDown: '↓',
  PageUp: 'Page Up',
  PageDown: 'Page Down',
  Escape: 'Esc',
  Backspace: '⌫',
  ' ': 'Space',
};

/** The keys of one chord as the sheet and tooltips show them: ["Ctrl", "Shift", "Z"] or ["⌘", "⇧", "Z"]. */
export function chordKeys(chord: Chord, mac = false): string[] {
  const keys: string[] = [];
  if (chord.mod) keys.push(mac ? '⌘' : 'Ctrl');
  if (chord.shift === true) keys.push(mac ? '⇧' : 'Shift');
  keys.push(keyNames[chord.key] ?? (chord.key.length === 1 ? chord.key.toUpperCase() : chord.key));
  return keys;
}

/** The chords of a shortcut that apply on this platform. */
export function chordsFor(shortcut: Shortcut, mac = false): Chord[] {
  return shortcut.chords.filter((chord) => !chord.platform || chord.platform === (mac ? 'mac' : 'other'));
}

/** Text for a tooltip: "Ctrl+Shift+Z or Ctrl+Y", "⌘⇧Z". */
export function shortcutKeys(id: string, mac = false): string {
  const shortcut = shortcuts.find((candidate) => candidate.id === id);
  if (!shortcut) throw new Error(`no shortcut '${id}'`);
  return chordsFor(shortcut, mac)
    .map((chord) => chordKeys(chord, mac).join(mac ? '' : '+'))
    .join(' or ');
}

/** For the sheet: each scope with its shortcuts, in table order. */
export function shortcutSheet(mac = false): { scope: ShortcutScope; title: string; rows: { id: string; action: string; chords: string[][] }[] }[] {
  return shortcutScopes.map(({ id, title }) => ({
    scope: id,
    title,
    rows: shortcuts
      .filter((shortcut) => shortcut.scope === id)
      .map((shortcut) => ({ id: shortcut.id, action: shortcut.action, chords: chordsFor(shortcut, mac).map((chord) => chordKeys(chord, mac)) })),
  }));
}

/** Where a before/after split (0–100) goes for a key press, or undefined when the key is not one of the slider's. */
export function splitAfterKey(press: KeyPress, value: number, mac = false): number | undefined {
  const step = press.shiftKey ? 10 : 2;
  switch (matchShortcut(press, 'compare', mac)) {
    case 'compare.left':
      return value - step;
    case 'compare.right':
      return value + step;
    case 'compare.page-left':
      return value - 10;
    case 'compare.page-right':
      return value + 10;
    case 'compare.start':
      return 0;
    case 'compare.end':
      return 100;
    default:
      return undefined;
  }
}
