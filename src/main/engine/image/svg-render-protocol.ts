/** Messages between an SVG renderer process (svg-render-process.ts) and the process that uses it (svg-renderer.ts). */

export interface SvgRenderRequest {
  id: number;
  /** 'measure': the intrinsic size only; 'render': pixels too. */
  op: 'measure' | 'render';
  /** The file's bytes (SVG or gzipped SVGZ). */
  svg: Uint8Array;
  /** Long side of the rendering in pixels; none: the intrinsic size. */
  longSide?: number;
  /** Refuse renderings over this many pixels. */
  maxPixels: number;
  /** How much the process may grow while rendering before it stops itself. */
  memoryBytes: number;
}

export type SvgRenderReply = (
  | { id: number; ok: true; width: number; height: number; pixels?: Uint8Array }
  | { id: number; ok: false; reason: string }
) & {
  /** The process grew large: the parent lets it go and starts a fresh one for the next request. */
  retire?: boolean;
};

/** The renderer exits with this code when a rendering outgrows `memoryBytes`. */
export const OUT_OF_MEMORY_EXIT = 86;

/** Sent once by the renderer when it is loaded and listening. */
export interface SvgRendererReady {
  ready: true;
}
