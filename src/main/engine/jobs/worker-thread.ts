/**
 * The main thread's handle on one job worker: starting it, the shared
 * cancel/pause flags, stats requests, and telling a crash from a deliberate stop.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { WorkerStats } from './types.js';
import { typeScriptBootstrap, type WorkerEntry } from './worker-entry.js';
import {
  CONTROL_CANCEL,
  CONTROL_PAUSE,
  CONTROL_SLOTS,
  type FromWorker,
  type ToWorker,
  type WorkerSetup,
} from './worker-protocol.js';

export interface WorkerThreadEvents {
  message(message: FromWorker): void;
  /** The thread ended without being asked to: `reason` is meant for the user. */
  crashed(reason: string): void;
}

export class JobWorkerThread {
  private readonly worker: Worker;
  private readonly control: Int32Array;
  private readonly exited: Promise<void>;
  private stopping = false;
  private lastError: Error | null = null;
  private nextRequestId = 1;
  private readonly statsRequests = new Map<number, { resolve(stats: WorkerStats): void; reject(error: Error): void }>();
  ready = false;
  private readonly settledListeners: (() => void)[] = [];
  /** The thread's worker_threads id, what a lock it takes records as its holder; kept, since Worker.threadId reads -1 once the thread has ended. */
  readonly threadId: number;

  constructor(entry: WorkerEntry, modules: string[], events: WorkerThreadEvents, resourceLimits?: ResourceLimits) {
    const control = new SharedArrayBuffer(CONTROL_SLOTS * Int32Array.BYTES_PER_ELEMENT);
    this.control = new Int32Array(control);
    const setup: WorkerSetup = { modules, control };
    const common = { workerData: setup, ...(resourceLimits ? { resourceLimits } : {}) };
    this.worker = entry.typeScriptLoader
      ? new Worker(typeScriptBootstrap(entry.entry, entry.typeScriptLoader), { ...common, eval: true })
      : new Worker(entry.entry, common);
    this.threadId = this.worker.threadId;
    this.worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        this.ready = true;
        this.settled();
      }
      if (message.type === 'stats') {
        const request = this.statsRequests.get(message.requestId);
        this.statsRequests.delete(message.requestId);
        request?.resolve(message.stats);
        return;
      }
      events.message(message);
    });
    this.worker.on('error', (error) => {
      this.lastError = error;
    });
    this.exited = new Promise((resolve) => {
      this.worker.on('exit', (code) => {
        const reason = this.describeExit(code);
        for (const request of this.statsRequests.values()) request.reject(new Error(reason));
        this.statsRequests.clear();
        this.settled();
        if (!this.stopping) events.crashed(reason);
        resolve();
      });
    });
  }

  /** `listener` runs once, when the thread says it is ready or ends, whichever comes first. */
  onReadyOrExit(listener: () => void): void {
    this.settledListeners.push(listener);
  }

  private settled(): void {
    for (const listener of this.settledListeners.splice(0)) listener();
  }

  private describeExit(code: number): string {
    const error = this.lastError as (Error & { code?: string }) | null;
    if (error?.code === 'ERR_WORKER_OUT_OF_MEMORY') return 'the job worker ran out of memory';
    if (error) return `the job worker crashed: ${error.message}`;
    if (this.stopping) return 'the job worker was stopped';
    return `the job worker stopped unexpectedly (exit code ${code})`;
  }

  post(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  /** Clears the flags for the next job. Call before posting `run`. */
  resetControl(): void {
    Atomics.store(this.control, CONTROL_CANCEL, 0);
    Atomics.store(this.control, CONTROL_PAUSE, 0);
  }

  setCancelled(): void {
    Atomics.store(this.control, CONTROL_CANCEL, 1);
  }

  setPaused(paused: boolean): void {
    Atomics.store(this.control, CONTROL_PAUSE, paused ? 1 : 0);
  }

  stats(): Promise<WorkerStats> {
    const requestId = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      this.statsRequests.set(requestId, { resolve, reject });
      this.post({ type: 'stats', requestId });
    });
  }

  /** Ends the thread on purpose (no `crashed` event); resolves when it is gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.worker.terminate();
    await this.exited;
  }
}
