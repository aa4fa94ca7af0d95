/**
 * Free-form JSON objects a client may send (gallery `settings`, translation
 * `options`, training `config`), bounded in size, key count and depth.
 *
 * They are stored as sent (the gallery keeps `settings` in SQLite and returns
 * them with every list page) or held in memory while a job runs, so one
 * unbounded object made a 242 MB database and 3–8 s list pages. The check
 * walks the object once and stops at the first limit it passes, so even a
 * 60 MB value is refused without being serialised.
 */
import { z } from 'zod';

export interface JsonObjectLimits {
  /** Largest size of the object written as JSON, in UTF-8 bytes. */
  maxBytes: number;
  /** Most keys and list items, counted over every level. */
  maxEntries: number;
  /** Deepest nesting: `{ a: 1 }` is depth 1, `{ a: { b: 1 } }` depth 2. */
  maxDepth: number;
  /** Longest key, in characters. */
  maxKeyLength: number;
}

/** Generous for what the studio sends (a dozen settings, a training config of ~40 values). */
export const defaultJsonObjectLimits: JsonObjectLimits = { maxBytes: 16 * 1024, maxEntries: 256, maxDepth: 8, maxKeyLength: 128 };

export interface JsonProblem {
  /** Where in the object, e.g. ['lr', 'G']. */
  path: (string | number)[];
  message: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function kib(bytes: number): string {
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} KiB` : `${bytes} bytes`;
}

/** UTF-8 length of a string (shared code runs in the browser too, so no Buffer). */
function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** JSON.stringify's size for one string, without serialising strings that cannot fit anyway. */
function stringBytes(text: string, budget: number): number {
  // Every UTF-16 unit is at least one UTF-8 byte, so a longer string is over budget already.
  if (text.length + 2 > budget) return budget + 1;
  return utf8Bytes(JSON.stringify(text));
}

/**
 * The first way `value` breaks `limits`, or null when it is a JSON object
 * within them. Iterative, so a deeply nested payload cannot overflow the stack.
 */
export function jsonObjectProblem(value: unknown, limits: JsonObjectLimits = defaultJsonObjectLimits): JsonProblem | null {
  if (!isPlainObject(value)) return { path: [], message: 'expected an object of named values' };
  let bytes = 0;
  let entries = 0;
  const over = () => bytes > limits.maxBytes;
  const tooBig = (path: (string | number)[]): JsonProblem => ({
    path,
    message: `is larger than ${kib(limits.maxBytes)} as JSON; keep it to ${kib(limits.maxBytes)} or less`,
  });
  const stack: { value: unknown; path: (string | number)[]; depth: number }[] = [{ value, path: [], depth: 1 }];
  while (stack.length) {
    const { value: current, path, depth } = stack.pop()!;
    if (current === null || typeof current === 'boolean') {
      bytes += current === null || current ? 4 : 5;
    } else if (typeof current === 'number') {
      if (!Number.isFinite(current)) return { path, message: 'numbers must be finite (JSON has no NaN or Infinity)' };
      bytes += String(current).length;
    } else if (typeof current === 'string') {
      bytes += stringBytes(current, limits.maxBytes - bytes);
    } else if (Array.isArray(current) || isPlainObject(current)) {
      if (depth > limits.maxDepth) return { path, message: `is nested more than ${limits.maxDepth} levels deep` };
      const keys = Array.isArray(current) ? null : Object.keys(current);
      const count = keys ? keys.length : (current as unknown[]).length;
      entries += count;
      if (entries > limits.maxEntries) return { path, message: `has more than ${limits.maxEntries} keys and list items in all` };
      bytes += 2 + Math.max(0, count - 1);
      if (keys) {
        const object = current as Record<string, unknown>;
        for (const key of keys) {
          if (key === '__proto__') return { path: [...path, key], message: "'__proto__' cannot be a key: JavaScript would read it as the object's prototype and drop it" };
          if (key.length > limits.maxKeyLength) return { path, message: `has a key longer than ${limits.maxKeyLength} characters` };
          bytes += stringBytes(key, limits.maxBytes - bytes) + 1;
          if (over()) return tooBig([]);
          stack.push({ value: object[key], path: [...path, key], depth: depth + 1 });
        }
      } else {
        (current as unknown[]).forEach((item, index) => stack.push({ value: item, path: [...path, index], depth: depth + 1 }));
      }
    } else {
      return { path, message: 'only JSON values are allowed (text, numbers, true/false, null, lists and objects)' };
    }
    if (over()) return tooBig([]);
  }
  return null;
}

/**
 * A contract field holding a free-form JSON object within `limits`. The
 * object passes through as sent (no copy), so a key like `__proto__` is seen
 * and refused rather than silently dropped.
 */
export function boundedJsonObject(limits: JsonObjectLimits = defaultJsonObjectLimits) {
  return z.custom<Record<string, unknown>>().superRefine((value, ctx) => {
    const problem = jsonObjectProblem(value, limits);
    if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  });
}
