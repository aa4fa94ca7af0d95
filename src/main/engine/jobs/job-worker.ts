/**
 * The worker thread that runs jobs: the only place tfjs (and anything else
 * CPU-heavy) is loaded, so the thread serving the UI never stalls.
 *
 * Built as its own entry (`out/main/job-worker.js`); `resolveWorkerEntry()`
 * finds it. It imports the job modules it is given, then runs one job at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { isJobKind, JobCancelledError, type DefinedJobKind, type JobContext } from './job-kind.js';
import { openJobJournal } from './job-journal.js';
import { ProgressMeter } from './progress-meter.js';
import type { JobProgress, WorkerStats } from './types.js';
import {
  CONTROL_CANCEL,
  CONTROL_PAUSE,
  type FromWorker,
  type ToWorker,
  type WorkerSetup,
} from './worker-protocol.js';

/** Progress messages per job are at most one per this many ms; the last one is always sent. */
const PROGRESS_INTERVAL_MS = 100;
const LOG_MESSAGE_MAX = 2000;

interface RunningJob {
  jobId: string;
  controller: AbortController;
  resumeWaiters: (() => void)[];
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * tfjs keeps its engine on the global object; reading its counters there
 * (rather than importing tfjs) keeps tfjs out of workers whose jobs never use
 * it and counts tensors of whichever tfjs copy the job modules loaded.
 */
function tensorCounters(): { numTensors: number; numBytes: number } {
  const engine = (globalThis as { _tfengine?: { state?: { numTensors?: number; numBytes?: number } } })._tfengine;
  return { numTensors: engine?.state?.numTensors ?? 0, numBytes: engine?.state?.numBytes ?? 0 };
}

function workerStats(): WorkerStats {
  return {
    ...tensorCounters(),
    rssBytes: process.memoryUsage.rss(),
    heapUsedBytes: getHeapStatistics().used_heap_size,
  };
}

async function loadJobKinds(modules: string[]): Promise<Map<string, DefinedJobKind>> {
  const kinds = new Map<string, DefinedJobKind>();
  for (const url of modules) {
    let loaded: Record<string, unknown>;
    try {
      loaded = (await import(url)) as Record<string, unknown>;
    } catch (error) {
      throw new Error(`job module ${url} could not be loaded: ${describe(error)}`);
    }
    let found = 0;
    for (const value of Object.values(loaded)) {
      if (!isJobKind(value)) continue;
      if (kinds.has(value.kind) && kinds.get(value.kind) !== value) {
        throw new Error(`job kind '${value.kind}' is defined twice (second time in ${url})`);
      }
      kinds.set(value.kind, value);
      found += 1;
    }
    if (found === 0) throw new Error(`job module ${url} exports no job kind (export the result of defineJobKind)`);
  }
  return kinds;
}

function startWorker(port: NonNullable<typeof parentPort>, setup: WorkerSetup): void {
  const control = new Int32Array(setup.control);
  const post = (message: FromWorker) => port.postMessage(message);
  let kinds: Map<string, DefinedJobKind> | null = null;
  let running: RunningJob | null = null;

  async function run(message: Extract<ToWorker, { type: 'run' }>): Promise<void> {
    const job: RunningJob = { jobId: message.jobId, controller: new AbortController(), resumeWaiters: [] };
    running = job;
    const meter = new ProgressMeter({}, message.progress);
    let lastSentAt = -Infinity;
    let pendingTimer: ReturnType<typeof setTimeout> | null = null;

    const sendProgress = () => {
      if (pendingTimer !== null) clearTimeout(pendingTimer);
      pendingTimer = null;
      lastSentAt = performance.now();
      post({ type: 'progress', jobId: job.jobId, progress: meter.progress });
    };
    const finish = (outcome: 'succeeded' | 'failed' | 'cancelled', extra: { result?: unknown; error?: string }) => {
      if (pendingTimer !== null) clearTimeout(pendingTimer);
      running = null;
      const finished: FromWorker = { type: 'finished', jobId: job.jobId, outcome, progress: meter.progress, ...extra };
      try {
        post(finished);
      } catch (error) {
        post({
          type: 'finished',
          jobId: job.jobId,
          outcome: 'failed',
          progress: meter.progress,
          error: `the job's result could not be passed back (${describe(error)})`,
        });
      }
    };

    const kind = kinds?.get(message.kind);
    if (!kind) {
      const known = [...(kinds?.keys() ?? [])].sort().join(', ') || 'none';
      finish('failed', { error: `unknown job kind '${message.kind}' (this app can run: ${known})` });
      return;
    }
    const parsed = kind.params.safeParse(message.params);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .map((issue) => `${issue.path.map(String).join('.') || '(params)'}: ${issue.message}`)
        .join('; ');
      finish('failed', { error: `invalid parameters for a '${message.kind}' job: ${issues}` });
      return;
    }

    const cancelled = () => job.controller.signal.aborted || Atomics.load(control, CONTROL_CANCEL) === 1;
    const throwIfCancelled = () => {
      if (!cancelled()) return;
      if (!job.controller.signal.aborted) job.controller.abort(new JobCancelledError());
      throw new JobCancelledError();
    };
    let journal: JobContext['journal'] | null = null;
    const ctx: JobContext = {
      jobId: message.jobId,
      dataDir: message.dataDir,
      attempt: message.attempt,
      signal: job.controller.signal,
      progress(report) {
        meter.report(report);
        const sinceLast = performance.now() - lastSentAt;
        if (sinceLast >= PROGRESS_INTERVAL_MS) sendProgress();
        else pendingTimer ??= setTimeout(sendProgress, PROGRESS_INTERVAL_MS - sinceLast);
      },
      async waitIfPaused() {
        throwIfCancelled();
        // A macrotask turn, so messages (cancel, stats) get in between CPU-heavy steps.
        await new Promise<void>((resolve) => setImmediate(resolve));
        throwIfCancelled();
        if (Atomics.load(control, CONTROL_PAUSE) !== 1) return;
        meter.pause();
        sendProgress();
        while (Atomics.load(control, CONTROL_PAUSE) === 1 && !cancelled()) {
          await new Promise<void>((resolve) => job.resumeWaiters.push(resolve));
        }
        meter.resume();
        throwIfCancelled();
      },
      throwIfCancelled,
      log(text) {
        post({ type: 'log', jobId: job.jobId, message: String(text).slice(0, LOG_MESSAGE_MAX) });
      },
      get journal() {
        journal ??= openJobJournal(message.dataDir, message.jobId);
        return journal;
      },
    };

    try {
      const result = await kind.run(parsed.data, ctx);
      if (cancelled()) finish('cancelled', { result });
      else finish('succeeded', { result });
    } catch (error) {
      if (cancelled() || error instanceof JobCancelledError) finish('cancelled', {});
      else finish('failed', { error: describe(error) });
    }
  }

  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'run':
        if (running) {
          post({
            type: 'finished',
            jobId: message.jobId,
            outcome: 'failed',
            progress: message.progress,
            error: 'the worker was still busy with another job',
          });
          return;
        }
        void run(message);
        return;
      case 'cancel':
      case 'resume': {
        const job = running;
        if (!job || job.jobId !== message.jobId) return;
        if (message.type === 'cancel' && !job.controller.signal.aborted) job.controller.abort(new JobCancelledError());
        for (const wake of job.resumeWaiters.splice(0)) wake();
        return;
      }
      case 'pause':
        // The shared flag already carries it; the job stops at its next waitIfPaused().
        return;
      case 'stats':
        post({ type: 'stats', requestId: message.requestId, stats: workerStats() });
        return;
    }
  });

  loadJobKinds(setup.modules).then(
    (loaded) => {
      kinds = loaded;
      post({ type: 'ready', kinds: [...loaded.keys()] });
    },
    (error: unknown) => post({ type: 'load-failed', message: describe(error) }),
  );
}

if (parentPort) startWorker(parentPort, workerData as WorkerSetup);
