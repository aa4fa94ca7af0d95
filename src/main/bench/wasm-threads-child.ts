/**
 * One thread count of the wasm-threads bench (wasm-threads.ts), alone in its
 * process: the threaded wasm build starts once per process, so 1 and N
 * threads cannot share one. Usage (forked with an IPC channel):
 * wasm-threads-child THREADS JSON where JSON is { networks, size, batch, reps, budgetMs }.
 */
import { initBackend } from '../engine/backend/index.js';
import { measureMatmulPeak } from './matmul-peak.js';
import { measureLine } from './network-lines.js';
import { pix2pixIteration, resnetGenerator, unetGenerator, type BenchSubject } from './subjects.js';

interface ChildPlan {
  networks: string[];
  size: number;
  batch: number;
  reps: number;
  budgetMs: number;
}

function subjectById(id: string): BenchSubject {
  const all = [unetGenerator(64), unetGenerator(32), resnetGenerator(), pix2pixIteration(64), pix2pixIteration(32)];
  const found = all.find((s) => s.id === id);
  if (!found) throw new Error(`unknown network ${id}; known: ${all.map((s) => s.id).join(', ')}`);
  return found;
}

async function run(threads: number, plan: ChildPlan) {
  const report = await initBackend({ prefer: 'wasm', threads });
  const peak = await measureMatmulPeak(512, 3);
  const lines = [];
  for (const id of plan.networks) {
    lines.push(
      await measureLine(
        { backend: 'wasm', subject: subjectById(id), size: plan.size, batch: plan.batch },
        peak.gflops,
        { warmup: 1, reps: plan.reps, minReps: Math.min(plan.reps, 3), budgetMs: plan.budgetMs },
        20,
      ),
    );
  }
  return { threads: report.threads, ...(report.threadsNote ? { threadsNote: report.threadsNote } : {}), matmulGflops: peak.gflops, lines };
}

const [threadsText, planText] = process.argv.slice(2) as [string, string];
run(Number(threadsText), JSON.parse(planText) as ChildPlan).then(
  (result) => process.send!(result, () => process.exit(0)),
  (error: unknown) => process.send!({ error: error instanceof Error ? error.message : String(error) }, () => process.exit(1)),
);
