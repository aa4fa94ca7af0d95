// The environment Dawn's Vulkan backend reads when it loads. Dawn (and the
// Vulkan loader under it) read VK_ICD_FILENAMES and XDG_RUNTIME_DIR once, when
// dawn.node is first used, so everything here must run before that and
// cannot be changed afterwards in the same process.
//
// SwiftShader is Google's Vulkan-on-the-CPU. Debian's chromium package ships
// it (libvk_swiftshader.so + vk_swiftshader_icd.json); on machines without a
// GPU it is the one Vulkan driver Dawn accepts (Mesa's lavapipe is refused),
// which is how the WebGPU path is tested without a GPU.
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const SWIFTSHADER_DEFAULT_DIR = '/usr/lib/chromium';
const SWIFTSHADER_ICD = 'vk_swiftshader_icd.json';

/** Where the SwiftShader ICD json should be: in GANVAS_SWIFTSHADER_DIR, else in Debian chromium's folder. */
function swiftShaderIcdPath(env: NodeJS.ProcessEnv): string {
  return path.join(env['GANVAS_SWIFTSHADER_DIR'] || SWIFTSHADER_DEFAULT_DIR, SWIFTSHADER_ICD);
}

/** The SwiftShader ICD json GANvas would use, or null when it is not there. */
export function swiftShaderIcd(env: NodeJS.ProcessEnv = process.env): string | null {
  const file = swiftShaderIcdPath(env);
  return existsSync(file) ? file : null;
}

/**
 * Mesa's window-system code prints "XDG_RUNTIME_DIR is invalid" on every
 * adapter query when it is unset (services, CI, ssh without a login
 * session). A private, empty folder of our own silences it and shares nothing.
 */
export function ensureRuntimeDir(env: NodeJS.ProcessEnv = process.env): void {
  if (env['XDG_RUNTIME_DIR']) return;
  env['XDG_RUNTIME_DIR'] = mkdtempSync(path.join(os.tmpdir(), 'ganvas-xdg-'));
}

/**
 * Points the Vulkan loader at SwiftShader only. `dawnLoaded` says whether
 * dawn.node has already read the environment: then the variable can no longer
 * change what it sees, and asking for another driver is an error the user can fix.
 */
export function useSwiftShader(dawnLoaded: boolean, env: NodeJS.ProcessEnv = process.env): string {
  const icd = swiftShaderIcd(env);
  if (!icd) {
    throw new Error(
      `SwiftShader was requested but ${swiftShaderIcdPath(env)} does not exist ` +
        '(on Debian/Ubuntu it comes with the chromium package; GANVAS_SWIFTSHADER_DIR names another folder)',
    );
  }
  if (env['VK_ICD_FILENAMES'] !== icd) {
    if (dawnLoaded) {
      throw new Error(
        `SwiftShader was requested after WebGPU had started with VK_ICD_FILENAMES=${env['VK_ICD_FILENAMES'] ?? '(unset)'}; ` +
          'set GANVAS_WEBGPU_ADAPTER=swiftshader before the first backend starts',
      );
    }
    env['VK_ICD_FILENAMES'] = icd;
  }
  ensureRuntimeDir(env);
  return icd;
}
