/**
 * How a training job tells the main thread that a new sample grid is on disk.
 *
 * The worker protocol carries logs but no custom messages, and a log line is
 * capped at 2,000 characters, too short for a PNG. So the job logs a marked
 * line with the file's path, and the API reads the file and sends it as the
 * `job.sample` event. The PNG is on disk anyway (runs/<run>/samples/).
 *
 * No tfjs here: the main thread imports this module.
 */
const SAMPLE_MARKER = '\u0000ganvas-sample ';

export interface SampleNotice {
  step: number;
  file: string;
}

export function sampleNotice(notice: SampleNotice): string {
  return SAMPLE_MARKER + JSON.stringify(notice);
}

/** The notice in a log line, or null for an ordinary line. */
export function readSampleNotice(line: string): SampleNotice | null {
  if (!line.startsWith(SAMPLE_MARKER)) return null;
  try {
    const value = JSON.parse(line.slice(SAMPLE_MARKER.length)) as Partial<SampleNotice>;
    if (typeof value.step === 'number' && Number.isInteger(value.step) && typeof value.file === 'string') {
      return { step: value.step, file: value.file };
    }
  } catch {
    // A malformed marker is treated as no notice.
  }
  return null;
}
