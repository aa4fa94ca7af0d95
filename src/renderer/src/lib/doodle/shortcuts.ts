/**
 * The Doodle view's keyboard: one pure mapping from a key press to a command,
 * so the bindings are tested without a DOM and listed in one place.
 */
import type { ToolId } from './tools.js';

export type DoodleCommand =
  | { type: 'tool'; tool: ToolId }
  | { type: 'brush-size'; direction: -1 | 1 }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'save' };

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

const toolKeys: Record<string, ToolId> = { b: 'brush', e: 'eraser', l: 'line', g: 'fill' };

/** `mac`: Cmd is the modifier instead of Ctrl. */
export function commandForKey(press: KeyPress, mac = false): DoodleCommand | undefined {
  if (press.altKey) return undefined;
  const mod = mac ? press.metaKey : press.ctrlKey;
  const key = press.key.toLowerCase();
  if (mod) {
    if (key === 'z') return press.shiftKey ? { type: 'redo' } : { type: 'undo' };
    if (key === 'y' && !press.shiftKey) return { type: 'redo' };
    if (key === 's' && !press.shiftKey) return { type: 'save' };
    return undefined;
  }
  if (press.ctrlKey || press.metaKey) return undefined;
  const tool = toolKeys[key];
  if (tool && !press.shiftKey) return { type: 'tool', tool };
  if (press.key === '[') return { type: 'brush-size', direction: -1 };
  if (press.key === ']') return { type: 'brush-size', direction: 1 };
  return undefined;
}

/** Shortcut text for tooltips: "Ctrl+Z" or "⌘Z". */
export function shortcutLabel(keys: string, mac = false): string {
  return mac ? keys.replace(/Ctrl\+/g, '⌘').replace(/Shift\+/g, '⇧') : keys;
}
