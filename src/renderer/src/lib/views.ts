/**
 * The studio's views, in navigation order (Ctrl/Cmd+1…6 follow it). Views
 * that later issues fill say plainly what they will do; they show no
 * controls that pretend to work.
 */
export const viewIds = ['doodle', 'translate', 'upscale', 'train', 'gallery', 'models'] as const;
export type ViewId = (typeof viewIds)[number];

export interface ViewInfo {
  id: ViewId;
  label: string;
  /** For views not built yet: what is coming and what it will do. */
  planned?: { summary: string; willDo: string[] };
}

export const views: readonly ViewInfo[] = [
  { id: 'doodle', label: 'Doodle' },
  { id: 'translate', label: 'Translate' },
  { id: 'upscale', label: 'Upscale' },
  { id: 'train', label: 'Train' },
  { id: 'gallery', label: 'Gallery' },
  { id: 'models', label: 'Models' },
];

export const defaultView: ViewId = 'gallery';

export function viewFromHash(hash: string): ViewId {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (viewIds as readonly string[]).includes(name) ? (name as ViewId) : defaultView;
}

export function hashForView(view: ViewId): string {
  return `#/${view}`;
}
