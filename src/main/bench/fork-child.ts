/**
 * Runs one bench measurement in a fresh Node process (a sibling module of
 * this folder, `NAME.ts` from source through tsx or `NAME.js` when built),
 * for what must not share the bench's process: its peak memory, or a
 * backend that starts once per process. The child sends one message on the
 * IPC channel, its result or `{ error }`, and exits.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export function runBenchChild<T extends object>(name: string, args: string[], what: string): Promise<T> {
  const here = import.meta.url;
  const fromSource = /\.[cm]?ts$/.test(new URL(here).pathname);
  const script = fileURLToPath(new URL(`./${name}${fromSource ? '.ts' : '.js'}`, here));
  const execArgv = fromSource ? ['--import', pathToFileURL(createRequire(here).resolve('tsx')).href] : [];
  return new Promise((resolve, reject) => {
    const child = fork(script, args, { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let result: T | { error: string } | null = null;
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.on('message', (message: T | { error: string }) => (result = message));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const got = result as T | { error: string } | null;
      if (got && !('error' in got)) resolve(got);
      else reject(new Error(got ? got.error : `the ${what} process ended (${signal ?? `exit code ${code}`}): ${stderr.trim()}`));
    });
  });
}
