/**
 * Zoom and pan of the before/after view. The stage shows the image fitted to
 * a box (zoom 1); zooming scales that fitted image about a point, and panning
 * moves it, always keeping the box covered (no empty margins once zoomed in).
 * Offsets are in screen pixels of the box, from its top-left corner.
 */
export interface ZoomState {
  /** 1 = the whole image fits the box. */
  zoom: number;
  /** Where the scaled image's top-left corner is, relative to the box's (≤ 0 once zoomed). */
  x: number;
  y: number;
}

export const minZoom = 1;
export const maxZoom = 32;
export const zoomStep = 1.25;

export const fitted: ZoomState = { zoom: 1, x: 0, y: 0 };

export interface BoxSize {
  width: number;
  height: number;
}

function clampNumber(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** Keeps the scaled image covering the box. */
export function clampPan(state: ZoomState, box: BoxSize): ZoomState {
  const zoom = clampNumber(state.zoom, minZoom, maxZoom);
  const x = clampNumber(state.x, box.width - box.width * zoom, 0);
  const y = clampNumber(state.y, box.height - box.height * zoom, 0);
  return { zoom, x, y };
}

/** Zooms to `zoom`, keeping the image point under `at` (box pixels) where it is. */
export function zoomAt(state: ZoomState, zoom: number, at: { x: number; y: number }, box: BoxSize): ZoomState {
  const next = clampNumber(zoom, minZoom, maxZoom);
  const ratio = next / state.zoom;
  return clampPan({ zoom: next, x: at.x - (at.x - state.x) * ratio, y: at.y - (at.y - state.y) * ratio }, box);
}

/** Zoom in (+1) or out (−1) by one step about the box's centre. */
export function zoomByStep(state: ZoomState, direction: 1 | -1, box: BoxSize): ZoomState {
  return zoomAt(state, state.zoom * zoomStep ** direction, { x: box.width / 2, y: box.height / 2 }, box);
}

/** A wheel event's zoom: scrolling up zooms in, smoothly for touchpads' small deltas. */
export function zoomForWheel(state: ZoomState, deltaY: number): number {
  return state.zoom * Math.exp(-deltaY * 0.002);
}

/** The zoom at which one image pixel is one screen pixel (never below "fit"). */
export function oneToOneZoom(imageWidth: number, box: BoxSize, devicePixelRatio = 1): number {
  if (box.width <= 0) return 1;
  return clampNumber(imageWidth / devicePixelRatio / box.width, minZoom, maxZoom);
}

export function panBy(state: ZoomState, dx: number, dy: number, box: BoxSize): ZoomState {
  return clampPan({ zoom: state.zoom, x: state.x + dx, y: state.y + dy }, box);
}

export function zoomLabel(zoom: number, imageWidth: number, box: BoxSize): string {
  if (box.width <= 0 || imageWidth <= 0) return `${Math.round(zoom * 100)}%`;
  // Percent of the image's own pixels, which is what "100%" means in image tools.
  return `${Math.round(((box.width * zoom) / imageWidth) * 100)}%`;
}
