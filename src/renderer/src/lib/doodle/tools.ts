/** The doodle tools and the brush size steps of [ and ] (their keys are in lib/shortcuts.ts). */
export const toolIds = ['brush', 'eraser', 'line', 'fill'] as const;
export type ToolId = (typeof toolIds)[number];

export interface ToolInfo {
  id: ToolId;
  label: string;
  hint: string;
}

export const tools: readonly ToolInfo[] = [
  { id: 'brush', label: 'Brush', hint: 'Draw freehand' },
  { id: 'eraser', label: 'Eraser', hint: 'Paint white' },
  { id: 'line', label: 'Line', hint: 'Drag a straight line (hold Shift to snap to 45°)' },
  { id: 'fill', label: 'Fill', hint: 'Fill an area with the colour' },
];

export const minBrushSize = 1;
export const maxBrushSize = 32;
export const defaultBrushSize = 2;

/** Next size for [ (down) and ] (up): steps of 1 while small, then about 20 %. */
export function stepBrushSize(size: number, direction: -1 | 1): number {
  const step = Math.max(1, Math.round(size * 0.2));
  const next = direction > 0 ? size + step : size - (size - step >= 5 ? step : 1);
  return Math.min(maxBrushSize, Math.max(minBrushSize, Math.round(next)));
}

/** A line end snapped to the nearest multiple of 45° around its start (Shift while dragging). */
export function snapLineEnd(start: { x: number; y: number }, end: { x: number; y: number }): { x: number; y: number } {
  const dx = end.x - start.x;
  const dy = end.y - start.y;
  const length = Math.hypot(dx, dy);
  if (length === 0) return { ...end };
  const angle = Math.round(Math.atan2(dy, dx) / (Math.PI / 4)) * (Math.PI / 4);
  // Diagonals keep the longer side's extent, so they land on whole pixels.
  const reach = Math.abs(Math.cos(angle)) > 1e-9 && Math.abs(Math.sin(angle)) > 1e-9 ? Math.max(Math.abs(dx), Math.abs(dy)) * Math.SQRT2 : length;
  return { x: start.x + Math.round(Math.cos(angle) * reach), y: start.y + Math.round(Math.sin(angle) * reach) };
}
