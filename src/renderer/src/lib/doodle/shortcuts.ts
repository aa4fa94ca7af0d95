/**
 * The Doodle view's keyboard: a key press becomes a command through the
 * studio's one shortcut list (lib/shortcuts.ts, which the `?` sheet shows),
 * so the bindings are tested without a DOM and cannot drift from the sheet.
 */
import { matchShortcut, type KeyPress } from '../shortcuts.js';
import type { ToolId } from './tools.js';

export type { KeyPress } from '../shortcuts.js';

export type DoodleCommand =
  | { type: 'tool'; tool: ToolId }
  | { type: 'brush-size'; direction: -1 | 1 }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'save' };

const commands: Record<string, DoodleCommand> = {
  'doodle.brush': { type: 'tool', tool: 'brush' },
  'doodle.eraser': { type: 'tool', tool: 'eraser' },
  'doodle.line': { type: 'tool', tool: 'line' },
  'doodle.fill': { type: 'tool', tool: 'fill' },
  'doodle.smaller': { type: 'brush-size', direction: -1 },
  'doodle.bigger': { type: 'brush-size', direction: 1 },
  'doodle.undo': { type: 'undo' },
  'doodle.redo': { type: 'redo' },
  'doodle.save': { type: 'save' },
};

/** The shortcut id of each tool, for its tooltip. */
export const toolShortcut: Record<ToolId, string> = { brush: 'doodle.brush', eraser: 'doodle.eraser', line: 'doodle.line', fill: 'doodle.fill' };

/** `mac`: Cmd is the modifier instead of Ctrl. */
export function commandForKey(press: KeyPress, mac = false): DoodleCommand | undefined {
  const id = matchShortcut(press, 'doodle', mac);
  return id === undefined ? undefined : commands[id];
}
