/**
 * The studio on the Redis queue in a browser: its own `ganvas serve --redis`
 * (beside the shared e2e server) and a private redis-server. The status bar
 * counts the connected `ganvas worker`s as they come and go.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { redisUnavailable, startPrivateRedis, type PrivateRedis } from '../../src/main/bench/private-redis.js';

const skip = redisUnavailable();
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'ganvas.js');

function start(args: string[]): { child: ChildProcess; output: () => string; waitFor(pattern: RegExp): Promise<RegExpMatchArray> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GANVAS_BACKEND: 'wasm' } });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return {
    child,
    output: () => text,
    async waitFor(pattern) {
      for (let i = 0; i < 1200; i++) {
        const match = text.match(pattern);
        if (match) return match;
        if (child.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`never printed ${pattern}: ${text.slice(-800)}`);
    },
  };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

test.skip(skip !== null, skip ?? '');

test('the status bar counts the workers connected to the queue', async ({ page }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ganvas-e2e-queue-'));
  let redis: PrivateRedis | undefined;
  const children: ChildProcess[] = [];
  try {
    redis = await startPrivateRedis();
    const serve = start(['serve', '--port', '0', '--data-dir', dataDir, '--redis', redis.url]);
    children.push(serve.child);
    const [url] = await serve.waitFor(/http:\/\/127\.0\.0\.1:\d+\/\?token=\S+/);
    expect(serve.output()).toContain('Folder and training jobs go to the queue at');
    await page.goto(url!);
    await expect(page.getByTestId('status-workers')).toHaveText('0 workers connected');

    const worker = start(['worker', '--redis', redis.url, '--data-dir', dataDir]);
    children.push(worker.child);
    await worker.waitFor(/GANvas worker \S+: wasm backend \(CPU\)/);
    await expect(page.getByTestId('status-workers')).toHaveText('1 worker connected', { timeout: 20_000 });
    await expect(page.getByTestId('status-workers')).toHaveAttribute('title', /wasm, takes images \+ train, 0 running/);

    await stop(worker.child);
    await expect(page.getByTestId('status-workers')).toHaveText('0 workers connected', { timeout: 20_000 });
  } finally {
    for (const child of children.reverse()) await stop(child);
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
