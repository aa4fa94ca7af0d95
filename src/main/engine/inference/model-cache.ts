/**
 * The few models the inference worker keeps loaded, least recently used
 * dropped first. A model whose files changed (a run saved a new checkpoint)
 * is reloaded, so the Doodle always draws with the latest weights.
 */
import type { ModelLocation } from '../models/catalogue.js';
import { loadTranslator, type Translator } from '../models/load-translator.js';

export class ModelCache {
  private readonly entries = new Map<string, { version: string; translator: Translator }>();

  constructor(
    private readonly capacity = 3,
    private readonly load: (location: ModelLocation) => Promise<Translator> = loadTranslator,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`the model cache holds at least 1 model, got ${capacity}`);
  }

  async get(location: ModelLocation): Promise<Translator> {
    const cached = this.entries.get(location.id);
    if (cached && cached.version === location.version) {
      // Re-inserting moves it to the end: Map keeps insertion order, so the first key is the least recent.
      this.entries.delete(location.id);
      this.entries.set(location.id, cached);
      return cached.translator;
    }
    if (cached) {
      this.entries.delete(location.id);
      cached.translator.dispose();
    }
    const translator = await this.load(location);
    this.entries.set(location.id, { version: location.version, translator });
    while (this.entries.size > this.capacity) {
      const [oldest, entry] = this.entries.entries().next().value as [string, { translator: Translator }];
      this.entries.delete(oldest);
      entry.translator.dispose();
    }
    return translator;
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  clear(): void {
    for (const { translator } of this.entries.values()) translator.dispose();
    this.entries.clear();
  }
}
