import { mkdtempSync, readFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { journalPath, openJobJournal } from '../../src/main/engine/jobs/job-journal.js';
import { ProgressMeter } from '../../src/main/engine/jobs/progress-meter.js';
import { resolveWorkerEntry } from '../../src/main/engine/jobs/worker-entry.js';
import { JobInfo, JobProgressEvent } from '../../src/main/engine/jobs/types.js';

function fakeClock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('ProgressMeter', () => {
  it('estimates a steady rate and the time left from it', () => {
    const clock = fakeClock();
    const meter = new ProgressMeter({ now: clock.now });
    let progress = meter.report({ done: 0, total: 100, unit: 'image' });
    expect(progress.rate).toBeNull();
    expect(progress.etaSeconds).toBeNull();
    for (let done = 1; done <= 20; done += 1) {
      clock.advance(500); // 2 images per second
      progress = meter.report({ done });
    }
    expect(progress.rate).toBeCloseTo(2, 6);
    expect(progress.etaSeconds).toBeCloseTo(80 / 2, 4);
    expect(progress.fraction).toBeCloseTo(0.2);
    expect(progress.unit).toBe('image');
    expect(progress.total).toBe(100);
  });

  it('follows a change of speed within a few time constants, not instantly', () => {
    const clock = fakeClock();
    const meter = new ProgressMeter({ now: clock.now, tauSeconds: 2 });
    meter.report({ done: 0, total: 1000 });
    let done = 0;
    for (let i = 0; i < 20; i += 1) {
      clock.advance(100);
      done += 1; // 10 per second
      meter.report({ done });
    }
    clock.advance(100);
    done += 5; // a single burst at 50 per second
    const afterBurst = meter.report({ done }).rate!;
    expect(afterBurst).toBeGreaterThan(10);
    expect(afterBurst).toBeLessThan(15); // one 100 ms burst moves a 2 s average by about 5%
    for (let i = 0; i < 100; i += 1) {
      clock.advance(100);
      done += 5;
      meter.report({ done });
    }
    expect(meter.progress.rate).toBeCloseTo(50, 0); // 10 s is 5 time constants: e^-5 of the old rate is left
  });

  it('leaves paused time out of the rate', () => {
    const clock = fakeClock();
    const meter = new ProgressMeter({ now: clock.now });
    meter.report({ done: 0, total: 10 });
    clock.advance(1000);
    meter.report({ done: 1 });
    meter.pause();
    clock.advance(60_000);
    meter.resume();
    clock.advance(1000);
    const progress = meter.report({ done: 2 });
    expect(progress.rate).toBeCloseTo(1, 6);
    expect(progress.etaSeconds).toBeCloseTo(8, 4);
  });

  it('keeps total, unit, message and losses until they are reported again, and rejects nonsense', () => {
    const meter = new ProgressMeter();
    meter.report({ done: 1, total: 4, unit: 'epoch', message: 'warming up', losses: { G: 2, D: 1 } });
    const next = meter.report({ done: 2 });
    expect(next).toMatchObject({ total: 4, unit: 'epoch', message: 'warming up', losses: { G: 2, D: 1 }, fraction: 0.5 });
    expect(() => meter.report({ done: Number.NaN })).toThrow(/'done' must be a finite number/);
    expect(() => meter.report({ done: 1, total: -3 })).toThrow(/'total' must be a finite number/);
    expect(JobProgressEvent.safeParse({ id: 'abc-1', status: 'running', progress: next }).success).toBe(true);
  });
});

describe('job journal', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('remembers finished items across reopenings and survives a line cut short by a crash', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ganvas-journal-'));
    dirs.push(dataDir);
    const first = openJobJournal(dataDir, 'job-1');
    expect(first.doneCount).toBe(0);
    first.markDone('a.png');
    first.markDone('b.png');
    first.markDone('a.png');
    expect(first.doneCount).toBe(2);
    appendFileSync(journalPath(dataDir, 'job-1'), '{"item":"c.pn'); // a crash in the middle of a write
    const reopened = openJobJournal(dataDir, 'job-1');
    expect(reopened.items().sort()).toEqual(['a.png', 'b.png']);
    expect(reopened.has('c.png')).toBe(false);
    reopened.markDone('c.png');
    expect(openJobJournal(dataDir, 'job-1').has('c.png')).toBe(true);
    expect(readFileSync(journalPath(dataDir, 'job-1'), 'utf8').split('\n').length).toBeGreaterThan(3);
    expect(openJobJournal(dataDir, 'job-2').doneCount).toBe(0);
  });
});

describe('resolveWorkerEntry', () => {
  it('runs the TypeScript worker through tsx from source and the sibling bundle when built', () => {
    const sourceModule = new URL('../../src/main/engine/jobs/worker-entry.ts', import.meta.url);
    const source = resolveWorkerEntry(sourceModule.href);
    expect(source.entry.href).toBe(new URL('job-worker.ts', sourceModule).href);
    expect(source.typeScriptLoader).toMatch(/^file:.*tsx\/dist\/esm\/api\/index\.mjs$/);
    const built = resolveWorkerEntry('file:///opt/GANvas/resources/app/out/main/index.js');
    expect(built.entry.href).toBe('file:///opt/GANvas/resources/app/out/main/job-worker.js');
    expect(built.typeScriptLoader).toBeUndefined();
  });

  it('finds the real worker file from this source tree', () => {
    const { entry } = resolveWorkerEntry();
    expect(readFileSync(entry, 'utf8')).toMatch(/startWorker/);
    expect(JobInfo.shape.status.options).toContain('paused');
  });
});
