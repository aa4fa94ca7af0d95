/**
 * The job queue as the page sees it: every job with its latest state and the
 * queue's order, kept for the life of the page. Views read the jobs they
 * start from here rather than from their own state, so leaving Translate or
 * Upscale and coming back (or reloading) still shows a folder job's progress
 * bar and Cancel button while it runs, and a queued job can say what it waits
 * for (waiting-line.ts).
 *
 * Progress events update a job in place; a status change or a job this page
 * has not seen re-reads `jobs.list` (one call per burst), which also brings
 * the new order and a finished job's result and error.
 */
import type { EventPayload, GanvasClient, JobInfo } from '../../../../shared/contract.js';
import { isFinished } from '../../../../shared/jobs.js';
import { waitingLine, type QueueOrder } from './waiting-line.js';

export class LiveJobs {
  /** Every job the queue knows, oldest first. */
  jobs = $state.raw<JobInfo[]>([]);
  order = $state.raw<QueueOrder>({ current: null, waiting: [] });
  loadError = $state<string>();
  /** What this tab asked of jobs it started that JobInfo does not carry, e.g. a folder job's output folder (kept across reloads). */
  readonly #asked = readAsked();
  /** Jobs that were queued, running or paused at some moment while this page was open. */
  #seenLive = $state.raw<ReadonlySet<string>>(new Set());
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #refreshing: Promise<void> | undefined;
  /** Asked again while a list was on its way: that answer may predate the change that asked. */
  #again = false;

  constructor(private readonly client: GanvasClient) {
    client.on('job.progress', (event) => this.#onProgress(event));
    void this.refresh();
  }

  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      do {
        this.#again = false;
        try {
          const { jobs, order } = await this.client.call('jobs.list', {});
          this.jobs = jobs;
          this.order = order;
          this.loadError = undefined;
          this.#markLive(jobs);
        } catch (error) {
          this.loadError = error instanceof Error ? error.message : String(error);
        }
      } while (this.#again);
      this.#refreshing = undefined;
    })();
    return this.#refreshing;
  }

  /** Adds or updates a job from a call's answer (translate.folder, upscale.images, jobs.cancel…). */
  track(info: JobInfo): void {
    const index = this.jobs.findIndex((job) => job.id === info.id);
    this.jobs = index >= 0 ? this.jobs.map((job, at) => (at === index ? info : job)) : [...this.jobs, info];
    this.#markLive([info]);
    this.#scheduleRefresh();
  }

  remember(id: string, asked: Record<string, string>): void {
    this.#asked.set(id, asked);
    for (const old of [...this.#asked.keys()].slice(0, Math.max(0, this.#asked.size - ASKED_KEPT))) this.#asked.delete(old);
    try {
      sessionStorage.setItem(ASKED_KEY, JSON.stringify([...this.#asked]));
    } catch {
      // Storage off or full: the paths are then known until the page reloads.
    }
  }

  asked(id: string): Record<string, string> | undefined {
    return this.#asked.get(id);
  }

  get(id: string): JobInfo | undefined {
    return this.jobs.find((job) => job.id === id);
  }

  /** Jobs of `kind` this page saw unfinished (so not yesterday's), oldest first. */
  seenLive(kind: string): JobInfo[] {
    return this.jobs.filter((job) => job.kind === kind && this.#seenLive.has(job.id));
  }

  waitingLine(job: JobInfo): string {
    return waitingLine(job, this.jobs, this.order);
  }

  #markLive(jobs: readonly JobInfo[]): void {
    const fresh = jobs.filter((job) => !isFinished(job.status) && !this.#seenLive.has(job.id));
    if (fresh.length) this.#seenLive = new Set([...this.#seenLive, ...fresh.map((job) => job.id)]);
  }

  #scheduleRefresh(): void {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = setTimeout(() => void this.refresh(), 30);
  }

  #onProgress(event: EventPayload<'job.progress'>): void {
    const index = this.jobs.findIndex((job) => job.id === event.id);
    if (index < 0) {
      this.#scheduleRefresh();
      return;
    }
    const previous = this.jobs[index]!;
    const next = { ...previous, status: event.status, progress: event.progress };
    this.jobs = this.jobs.map((job, at) => (at === index ? next : job));
    if (!isFinished(event.status)) this.#markLive([next]);
    // The order, a finished job's result and its error come with the list.
    if (event.status !== previous.status) this.#scheduleRefresh();
  }
}

const ASKED_KEY = 'ganvas.jobs.asked';
const ASKED_KEPT = 50;

function readAsked(): Map<string, Record<string, string>> {
  try {
    const stored: unknown = JSON.parse(sessionStorage.getItem(ASKED_KEY) ?? '[]');
    if (!Array.isArray(stored)) return new Map();
    const entries = stored.filter(
      (entry): entry is [string, Record<string, string>] =>
        Array.isArray(entry) &&
        typeof entry[0] === 'string' &&
        typeof entry[1] === 'object' &&
        entry[1] !== null &&
        Object.values(entry[1] as object).every((value) => typeof value === 'string'),
    );
    return new Map(entries.slice(-ASKED_KEPT));
  } catch {
    return new Map();
  }
}

const perClient = new WeakMap<GanvasClient, LiveJobs>();

export function liveJobsFor(client: GanvasClient): LiveJobs {
  let jobs = perClient.get(client);
  if (!jobs) perClient.set(client, (jobs = new LiveJobs(client)));
  return jobs;
}
