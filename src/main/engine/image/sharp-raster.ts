/**
 * sharp as GANvas uses it on users' files: raster formats only. libvips can
 * also load SVG itself (through librsvg) and a few formats GANvas never
 * offers (CSV and matrix text, its own .v files); those loaders are blocked
 * for the whole process, so an SVG, however it is named, can only be drawn
 * by the isolated renderer (svg-renderer.ts), and a text file is never
 * "decoded" into pixels.
 *
 * Import sharp from here, not from 'sharp', in every module that reads bytes
 * a user gave us.
 */
import sharp from 'sharp';

sharp.block({
  operation: ['VipsForeignLoadSvg', 'VipsForeignLoadCsv', 'VipsForeignLoadMatrix', 'VipsForeignLoadVips'],
});

export default sharp;
export type { Metadata, Sharp } from 'sharp';
