/**
 * The wasm backend at 1 thread and at every core, on the same networks:
 * each thread count runs in its own process (wasm-threads-child.ts), and
 * the report gives each pass's median and the speed-up over one thread.
 */
import { runBenchChild } from './fork-child.js';
import type { NetworkLine } from './network-lines.js';

export interface WasmThreadsOptions {
  threads: number[];
  networks: string[];
  size: number;
  batch: number;
  reps: number;
  budgetMs: number;
  log?: (message: string) => void;
}

interface ChildResult {
  threads: number;
  threadsNote?: string;
  matmulGflops: number;
  lines: NetworkLine[];
}

function runChild(threads: number, plan: Omit<WasmThreadsOptions, 'threads' | 'log'>): Promise<ChildResult> {
  return runBenchChild('wasm-threads-child', [String(threads), JSON.stringify(plan)], `${threads}-thread`);
}

const medianOf = (line: NetworkLine | undefined, pass: 'forward' | 'trainingStep') => {
  const measured = line?.[pass];
  return measured && !('skipped' in measured) ? measured.medianMs : undefined;
};

export async function measureWasmThreads(options: WasmThreadsOptions) {
  const log = options.log ?? (() => {});
  const { threads: _threads, log: _log, ...plan } = options;
  const runs: ChildResult[] = [];
  for (const threads of options.threads) {
    log(`wasm threads: ${threads} thread${threads === 1 ? '' : 's'}, ${plan.networks.join(', ')} at ${plan.size} px, batch ${plan.batch}`);
    const result = await runChild(threads, plan);
    if (result.threadsNote) log(`  ${result.threadsNote}`);
    runs.push(result);
  }
  const single = runs.find((r) => r.threads === 1);
  const lines = runs.flatMap((run) =>
    run.lines.map((line) => {
      const base = single?.lines.find((l) => l.network === line.network);
      const speedup = (pass: 'forward' | 'trainingStep') => {
        const one = medianOf(base, pass);
        const here = medianOf(line, pass);
        return one !== undefined && here !== undefined ? Math.round((one / here) * 1000) / 1000 : undefined;
      };
      const forwardSpeedup = speedup('forward');
      const trainingSpeedup = speedup('trainingStep');
      return {
        ...line,
        threads: run.threads,
        ...(forwardSpeedup !== undefined ? { forwardSpeedupOverOneThread: forwardSpeedup } : {}),
        ...(trainingSpeedup !== undefined ? { trainingSpeedupOverOneThread: trainingSpeedup } : {}),
      };
    }),
  );
  return {
    requested: options.threads,
    runs: runs.map((r) => ({ threads: r.threads, matmulGflops: r.matmulGflops, ...(r.threadsNote ? { threadsNote: r.threadsNote } : {}) })),
    lines,
  };
}
