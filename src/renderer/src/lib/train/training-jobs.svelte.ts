/**
 * What the renderer knows about training jobs: their state, the losses seen
 * so far, the newest sample grid and a tail of the log.
 *
 * One instance per client for the life of the page, subscribed to the job
 * events from the start, so leaving the Train view and coming back shows the
 * curves collected meanwhile; `refresh()` re-reads `jobs.list` to pick up
 * jobs started elsewhere (another window, the CLI) or before a reload. The
 * first time a training job is seen, its run's history (`train.history`),
 * its kept log (`jobs.log`) and its sample grids on disk (`train.samples`) are
 * read once, so a reloaded page or a stopped run shows the whole curve, the
 * log and the samples, not only what arrived live.
 */
import type { EventPayload, GanvasClient, JobInfo } from '../../../../shared/contract.js';
import { appendLosses, prependLosses, type LossHistory } from './loss-history.js';

/** Job kinds that are training runs ('train', 'train-pix2pix', …). */
export function isTrainingJob(info: Pick<JobInfo, 'kind'>): boolean {
  return /^train(-|$)/.test(info.kind);
}

export const LOG_TAIL_LINES = 200;

export interface JobSample {
  step: number;
  url: string;
}

type LogLine = { at: number; message: string };

/** Kept lines first, then live ones they do not already hold, in time order. */
function mergeLog(kept: readonly LogLine[], live: readonly LogLine[]): LogLine[] {
  const seen = new Set(kept.map((line) => `${line.at}\u0000${line.message}`));
  const merged = [...kept, ...live.filter((line) => !seen.has(`${line.at}\u0000${line.message}`))];
  return merged.sort((a, b) => a.at - b.at).slice(-LOG_TAIL_LINES);
}

export class TrainingJobs {
  /** Training jobs, newest first. */
  jobs = $state<JobInfo[]>([]);
  /** Bumped whenever losses, samples or logs change (they are kept out of deep reactivity: thousands of points). */
  version = $state(0);
  loadError = $state<string>();

  readonly #histories = new Map<string, LossHistory>();
  readonly #samples = new Map<string, JobSample>();
  /** Steps of every sample grid a job's run has, oldest first (from disk, then live). */
  readonly #sampleSteps = new Map<string, number[]>();
  /** Grids fetched for browsing, by job and step. */
  readonly #sampleImages = new Map<string, string>();
  readonly #logs = new Map<string, LogLine[]>();
  readonly #unknown = new Set<string>();
  readonly #historyAsked = new Set<string>();
  readonly #keptAsked = new Set<string>();

  constructor(private readonly client: GanvasClient) {
    client.on('job.progress', (event) => this.#onProgress(event));
    client.on('job.sample', (event) => this.#onSample(event));
    client.on('job.log', (event) => this.#onLog(event));
  }

  async refresh(): Promise<void> {
    try {
      const { jobs } = await this.client.call('jobs.list', {});
      for (const info of jobs) if (isTrainingJob(info)) this.track(info);
      this.loadError = undefined;
    } catch (error) {
      this.loadError = error instanceof Error ? error.message : String(error);
    }
  }

  /** Adds or updates a job from a call's answer (train.start, jobs.pause, …). */
  track(answer: JobInfo): void {
    const index = this.jobs.findIndex((job) => job.id === answer.id);
    const previous = index >= 0 ? this.jobs[index] : undefined;
    // A call's answer can arrive after progress events that are newer than it (the pause answer
    // after the worker's last step, say): within one attempt steps only grow, so keep the newer count.
    const info = previous && previous.attempt === answer.attempt && previous.progress.done > answer.progress.done ? { ...answer, progress: previous.progress } : answer;
    if (index >= 0) this.jobs[index] = info;
    else this.jobs = [info, ...this.jobs].sort((a, b) => b.createdAt - a.createdAt);
    if (info.progress.losses) {
      if (appendLosses(this.#historyOf(info.id), info.progress.done, info.progress.losses)) this.version++;
    }
    this.#loadHistory(info);
    this.#loadKept(info);
  }

  /** Drops jobs deleted from the queue (they are in the trash; a restore brings them back through refresh). */
  forget(ids: readonly string[]): void {
    const gone = new Set(ids);
    this.jobs = this.jobs.filter((job) => !gone.has(job.id));
    for (const id of ids) {
      this.#histories.delete(id);
      this.#samples.delete(id);
      this.#sampleSteps.delete(id);
      this.#logs.delete(id);
      this.#historyAsked.delete(id);
      this.#keptAsked.delete(id);
    }
    this.version++;
  }

  /** The log and sample grids a job left on disk, read once per job (a reload or a stopped run still has them). */
  #loadKept(info: JobInfo): void {
    if (!isTrainingJob(info) || this.#keptAsked.has(info.id)) return;
    this.#keptAsked.add(info.id);
    this.client.call('jobs.log', { id: info.id, limit: LOG_TAIL_LINES }).then(
      ({ lines }) => {
        this.#logs.set(info.id, mergeLog(lines, this.#logs.get(info.id) ?? []));
        this.version++;
      },
      () => undefined,
    );
    this.client.call('train.samples', { id: info.id }).then(
      async ({ samples }) => {
        const steps = new Set([...samples.map((sample) => sample.step), ...(this.#sampleSteps.get(info.id) ?? [])]);
        this.#sampleSteps.set(info.id, [...steps].sort((a, b) => a - b));
        this.version++;
        const last = samples.at(-1);
        if (!last || (this.#samples.get(info.id)?.step ?? -1) >= last.step) return;
        const grid = await this.client.call('train.sample', { id: info.id, step: last.step });
        this.#onSample({ id: info.id, step: grid.step, image: grid.image });
      },
      () => undefined,
    );
  }

  sampleSteps(id: string): readonly number[] {
    return this.#sampleSteps.get(id) ?? [];
  }

  /** A grid of an earlier step, for browsing (data: URL), fetched once. */
  async sampleAt(id: string, step: number): Promise<string> {
    const latest = this.#samples.get(id);
    if (latest?.step === step) return latest.url;
    const key = `${id}@${step}`;
    let url = this.#sampleImages.get(key);
    if (!url) {
      const grid = await this.client.call('train.sample', { id, step });
      url = `data:image/png;base64,${grid.image}`;
      this.#sampleImages.set(key, url);
    }
    return url;
  }

  /** Reads the run's loss history once per job; a job that has not trained a step yet is asked again later. */
  #loadHistory(info: JobInfo): void {
    if (!isTrainingJob(info) || this.#historyAsked.has(info.id) || info.progress.done === 0) return;
    this.#historyAsked.add(info.id);
    this.client.call('train.history', { id: info.id }).then(
      ({ losses }) => {
        if (prependLosses(this.#historyOf(info.id), losses)) this.version++;
      },
      // The curve then starts where live events start; the Train view still works.
      () => undefined,
    );
  }

  get(id: string): JobInfo | undefined {
    return this.jobs.find((job) => job.id === id);
  }

  losses(id: string): LossHistory {
    return this.#histories.get(id) ?? {};
  }

  sample(id: string): JobSample | undefined {
    return this.#samples.get(id);
  }

  log(id: string): readonly { at: number; message: string }[] {
    return this.#logs.get(id) ?? [];
  }

  #historyOf(id: string): LossHistory {
    let history = this.#histories.get(id);
    if (!history) this.#histories.set(id, (history = {}));
    return history;
  }

  #onProgress(event: EventPayload<'job.progress'>): void {
    const index = this.jobs.findIndex((job) => job.id === event.id);
    if (index < 0) {
      // A job this page has not seen (started elsewhere): ask what it is once.
      if (this.#unknown.has(event.id)) return;
      this.#unknown.add(event.id);
      this.client.call('jobs.get', { id: event.id }).then(
        (info) => {
          if (isTrainingJob(info)) this.track(info);
        },
        () => undefined,
      );
      return;
    }
    const previous = this.jobs[index]!;
    // finishedAt/error arrive with the final state; jobs.get fills them in.
    this.jobs[index] = { ...previous, status: event.status, progress: event.progress };
    if (appendLosses(this.#historyOf(event.id), event.progress.done, event.progress.losses)) this.version++;
    if (event.status !== previous.status && (event.status === 'failed' || event.status === 'succeeded' || event.status === 'cancelled')) {
      this.client.call('jobs.get', { id: event.id }).then((info) => this.track(info), () => undefined);
    }
  }

  #onSample(event: EventPayload<'job.sample'>): void {
    const steps = this.#sampleSteps.get(event.id) ?? [];
    if (!steps.includes(event.step)) {
      this.#sampleSteps.set(event.id, [...steps, event.step].sort((a, b) => a - b));
      this.version++;
    }
    const current = this.#samples.get(event.id);
    if (current && current.step > event.step) return;
    this.#samples.set(event.id, { step: event.step, url: `data:image/png;base64,${event.image}` });
    this.version++;
  }

  #onLog(event: EventPayload<'job.log'>): void {
    let lines = this.#logs.get(event.id);
    if (!lines) this.#logs.set(event.id, (lines = []));
    lines.push({ at: event.at, message: event.message });
    if (lines.length > LOG_TAIL_LINES) lines.splice(0, lines.length - LOG_TAIL_LINES);
    this.version++;
  }
}

const perClient = new WeakMap<GanvasClient, TrainingJobs>();


export function trainingJobsFor(client: GanvasClient): TrainingJobs {
  let jobs = perClient.get(client);
  if (!jobs) perClient.set(client, (jobs = new TrainingJobs(client)));
  return jobs;
}
