/**
 * Single images, one at a time and in order: each picked image is sent to
 * `translate.image` only after the previous one came back, so the engine is
 * never flooded and results arrive in the order the user picked. A failed
 * image records its error and the queue goes on; images added while it runs
 * join the end.
 */

export type EntryStatus = 'waiting' | 'translating' | 'done' | 'failed';

export interface QueueUpdate<R> {
  key: number;
  status: EntryStatus;
  value?: R;
  error?: string;
}

/** Items carry the caller's key, so the caller can show them before the queue reports on them. */
export interface TranslationQueue<T extends { key: number }> {
  add(items: readonly T[]): void;
  /** Waiting items are dropped; the one being translated still finishes. */
  clearWaiting(): number[];
  /** Resolves when nothing is waiting or running. */
  idle(): Promise<void>;
  readonly running: boolean;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : String(error);
}

export function createTranslationQueue<T extends { key: number }, R>(work: (item: T) => Promise<R>, onUpdate: (update: QueueUpdate<R>) => void): TranslationQueue<T> {
  const waiting: T[] = [];
  let draining: Promise<void> | null = null;

  async function drain(): Promise<void> {
    for (let next = waiting.shift(); next; next = waiting.shift()) {
      onUpdate({ key: next.key, status: 'translating' });
      try {
        const value = await work(next);
        onUpdate({ key: next.key, status: 'done', value });
      } catch (error) {
        onUpdate({ key: next.key, status: 'failed', error: errorText(error) });
      }
    }
  }

  return {
    add(items) {
      for (const item of items) {
        waiting.push(item);
        onUpdate({ key: item.key, status: 'waiting' });
      }
      if (!draining && waiting.length) {
        draining = drain().finally(() => {
          draining = null;
        });
      }
    },
    clearWaiting() {
      return waiting.splice(0).map((entry) => entry.key);
    },
    idle() {
      return draining ?? Promise.resolve();
    },
    get running() {
      return draining !== null;
    },
  };
}
