// The wasm backend on more than one thread: tfjs's threaded build started by
// our loader (src/main/engine/backend/wasm-threads.ts). What runs on two
// threads must compute what one thread computes: the same gradients through
// our own training kernels, the same losses over 20 Adam steps, no tensors
// left behind; and `ganvas backend` reports the threads GANVAS_THREADS asked for.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { promisify } from 'node:util';
import { wasmThreadsWanted } from '../../src/main/engine/backend/index.js';
import { GANVAS_BIN } from './fixtures/cli-process.js';

const run = promisify(execFile);
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const child = path.join(import.meta.dirname, 'fixtures', 'wasm-threads-child.ts');

interface ChildOutput {
  threads: number;
  threadsNote: string | null;
  gradSums: number[];
  losses: number[];
  before: number;
  after: number;
}

async function train(threads: number): Promise<ChildOutput> {
  const { stdout } = await run(process.execPath, ['--import', tsx, child, String(threads)], { env: { ...process.env, GANVAS_THREADS: '' }, timeout: 120_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildOutput;
}

describe('wasm on several threads', () => {
  it('trains exactly as one thread does, with the threads it was asked for', async () => {
    const [one, two] = [await train(1), await train(2)];
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(two.threadsNote).toBeNull();
    for (let i = 0; i < one.gradSums.length; i++) expect(two.gradSums[i]).toBeCloseTo(one.gradSums[i]!, 3);
    expect(two.losses).toHaveLength(20);
    for (let i = 0; i < one.losses.length; i++) expect(Math.abs(two.losses[i]! - one.losses[i]!)).toBeLessThan(1e-4);
    // It learned (the same amount either way), and left no tensors behind.
    expect(two.losses.at(-1)!).toBeLessThan(two.losses[0]! * 0.9);
    expect(two.after).toBe(two.before);
    expect(one.after).toBe(one.before);
  });

  it('ganvas backend reports the threads GANVAS_THREADS asks for', async () => {
    const backend = async (env: NodeJS.ProcessEnv) => {
      const { stdout } = await run(process.execPath, [GANVAS_BIN, 'backend', '--backend', 'wasm'], { env: { ...process.env, ...env }, timeout: 60_000 });
      return JSON.parse(stdout) as { active: string; threads: number; threadsNote?: string };
    };
    expect(await backend({ GANVAS_THREADS: '2' })).toMatchObject({ active: 'wasm', threads: 2 });
    expect((await backend({ GANVAS_THREADS: '' })).threads).toBe(1);
  });

  it('reads GANVAS_THREADS and refuses nonsense with its name', () => {
    expect(wasmThreadsWanted(undefined, {})).toBe(1);
    expect(wasmThreadsWanted(undefined, { GANVAS_THREADS: '2' })).toBe(2);
    expect(wasmThreadsWanted(3, { GANVAS_THREADS: '2' })).toBe(3);
    expect(wasmThreadsWanted(undefined, { GANVAS_THREADS: '64' })).toBe(8);
    expect(wasmThreadsWanted(undefined, { GANVAS_THREADS: 'all' })).toBeGreaterThanOrEqual(1);
    expect(() => wasmThreadsWanted(undefined, { GANVAS_THREADS: 'two' })).toThrow(/GANVAS_THREADS/);
    expect(() => wasmThreadsWanted(undefined, { GANVAS_THREADS: '0' })).toThrow(/GANVAS_THREADS/);
  });
});
