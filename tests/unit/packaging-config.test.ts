// The packaging config carries security decisions (fuses, asar) that no
// test could otherwise see before a release is built; this holds it to them.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '../..');
const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

describe('electron-builder.yml', () => {
  it('flips the fuses that close code-injection paths into the signed app', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs the app into app.asar (which onlyLoadAppFromAsar and the integrity check need)', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('**/*.node');
    // ONNX Runtime's binding loads its shared library from beside it, which dlopen cannot do inside the archive.
    expect(config.asarUnpack).toContain('node_modules/onnxruntime-node/bin/**');
    // Dawn's dawn.node (WebGPU) likewise loads the DirectX shader compilers from beside it on Windows.
    expect(config.asarUnpack).toContain('node_modules/webgpu/dist/**');
  });

  it('ships the build and the bundled models, and neither sources nor the unpackaged native/ builds', () => {
    const files = config.files as string[];
    expect(files).toEqual(expect.arrayContaining(['package.json', 'out/**', 'models/**']));
    expect(files.some((pattern) => /^(src|tests|scripts|native)\b/.test(pattern))).toBe(false);
    expect(config.npmRebuild).toBe(true);
  });

  it('is what `npm run package` uses', () => {
    expect(pkg.scripts.package).toMatch(/electron-builder@[\d.]+ --config electron-builder\.yml/);
  });
});
