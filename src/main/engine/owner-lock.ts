/**
 * One owner per folder. The owner of a data folder (the studio: the desktop
 * app or `ganvas serve`) is the only process that rewrites its job records,
 * repairs its gallery and cleans its left-overs; the owner of a training run
 * folder is the only trainer writing its checkpoints and losses.jsonl. Two
 * writers undo each other's work: a second studio marked the first one's
 * running jobs "interrupted", and two trainers on one run deleted each other's
 * checkpoint temp folders and wrote every step twice.
 *
 * The lock is a file, `owner.lock`, that names its holder: pid, when that
 * process started, thread, host, command line, what it holds the folder for
 * and since when, so a refusal can tell the user exactly who to stop. It is
 * created complete in one step (written under a temporary name, then
 * hard-linked to `owner.lock`, which fails when the name exists) and removed
 * when the owner lets go, or by the next owner once it is stale.
 *
 * Stale means the holder cannot be running any more: its pid is gone, or the
 * pid now belongs to a process that started at another time (the pid was
 * reused after a crash). Start times come from /proc on Linux and from `ps`
 * on macOS and the BSDs; on Windows only the pid is checked. A lock from
 * another host is never judged stale (its pid means nothing here): the
 * message says which file to delete once that host no longer runs GANvas.
 *
 * Inside one process the lock cannot tell threads apart by liveness: a lock
 * held by another thread of this process counts as held. The job queue
 * releases the run-folder lock of a worker thread it had to stop hard
 * (`releaseThreadLock`), since a terminated thread runs no `finally`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { UserFacingError } from './errors.js';

export const OWNER_LOCK_FILE = 'owner.lock';

/** Who holds a folder, as written in its lock file. */
export interface LockHolder {
  pid: number;
  /** When the process started, in a form only compared for equality; null where it cannot be read. */
  processStart: string | null;
  /** worker_threads id of the holding thread (0: the main thread). */
  thread: number;
  host: string;
  /** The command line that started the process, e.g. `ganvas serve --port 8765`. */
  command: string;
  /** What the folder is held for, in the user's words: "the studio", "training". */
  purpose: string;
  /** ISO time the lock was taken. */
  since: string;
}

export interface OwnerLock {
  readonly folder: string;
  readonly file: string;
  readonly holder: LockHolder;
  /** Lets go of the folder; safe to call twice. Never removes a lock someone else holds. */
  release(): void;
}

export interface OwnershipRequest {
  /** What the holder uses the folder for, shown to whoever is refused. */
  purpose: string;
  /** How a refusal names the folder, e.g. "The data folder". */
  what: string;
  /** What a refused user can do, e.g. "Close it first, or use another data folder (--data-dir)." */
  advice: string;
}

/** The folder is held by a live process; the message names it. */
export class FolderInUseError extends UserFacingError {
  constructor(
    message: string,
    readonly folder: string,
    readonly holder: LockHolder,
    /** True when the holder is this very process (another thread, or an owner not yet released). */
    readonly heldByThisProcess: boolean,
  ) {
    super('invalid_state', message);
    this.name = 'FolderInUseError';
  }
}

// ---------------------------------------------------------------- who is running

/** Linux: boot id plus the start time in clock ticks since boot (field 22 of /proc/PID/stat). */
function linuxStart(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces; fields after it are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19];
    if (!ticks || !/^\d+$/.test(ticks)) return null;
    let boot = '';
    try {
      boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      // Without a boot id the tick count alone still tells a reused pid apart.
    }
    return `linux:${boot}:${ticks}`;
  } catch {
    return null;
  }
}

/** macOS and the BSDs: `ps -o lstart=` prints the start time to the second. */
function psStart(pid: number): string | null {
  try {
    const text = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    return text ? `ps:${text}` : null;
  } catch {
    return null;
  }
}

/** When process `pid` started, or null when that cannot be read here. */
export function processStartOf(pid: number): string | null {
  if (process.platform === 'linux') return linuxStart(pid);
  if (process.platform === 'win32') return null;
  return psStart(pid);
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let ownStart: string | null | undefined;
function thisProcessStart(): string | null {
  if (ownStart === undefined) ownStart = processStartOf(process.pid);
  return ownStart;
}

/** `ganvas serve --port 8765` rather than `/usr/bin/node /home/me/ganvas/bin/ganvas.js serve --port 8765`. */
function commandLine(): string {
  let argv = process.argv;
  try {
    // A worker thread's process.argv lacks the arguments; /proc has the real command line.
    const fromProc = fs.readFileSync('/proc/self/cmdline', 'utf8').split('\0').filter(Boolean);
    if (fromProc.length) argv = fromProc;
  } catch {
    // Not Linux: process.argv it is.
  }
  const [runtime = 'node', ...args] = argv;
  let words = args;
  let name = path.basename(runtime);
  if (/^(node|nodejs)(\.exe)?$/i.test(name)) {
    // Skip Node's own flags (`--import tsx`, `-r x`) up to the script.
    let i = 0;
    while (i < args.length && args[i]!.startsWith('-')) i += /^(--import|--require|-r|--loader|--experimental-loader|--env-file)$/.test(args[i]!) ? 2 : 1;
    if (i < args.length) {
      name = path.basename(args[i]!).replace(/\.[cm]?[jt]s$/, '');
      words = args.slice(i + 1);
    }
  }
  return [name, ...words].join(' ').slice(0, 300);
}

function describeTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return 'an unknown time';
  const minutes = Math.round((Date.now() - at.getTime()) / 60_000);
  const ago = minutes < 1 ? 'less than a minute ago' : minutes < 120 ? `${minutes} min ago` : `${Math.round(minutes / 60)} h ago`;
  const local = `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')} ${at.toTimeString().slice(0, 8)}`;
  return `${local} (${ago})`;
}

/** "process 4242 (`ganvas serve --port 8765`), for the studio, since 2025-05-01 10:02:11 (3 min ago)". */
export function describeHolder(holder: LockHolder): string {
  const self = holder.pid === process.pid && holder.host === os.hostname();
  const who = self ? `this process (${holder.pid})` : `process ${holder.pid}${holder.host !== os.hostname() ? ` on ${holder.host}` : ''}`;
  return `${who} (\`${holder.command}\`), for ${holder.purpose}, since ${describeTime(holder.since)}`;
}

type Verdict = { state: 'live'; holder: LockHolder; thisProcess: boolean } | { state: 'stale' };

function judge(holder: LockHolder): Verdict {
  if (holder.host !== os.hostname()) return { state: 'live', holder, thisProcess: false };
  if (holder.pid === process.pid) {
    // Our pid with another start time: an earlier process that had our pid died holding it.
    const mine = thisProcessStart();
    if (holder.processStart !== null && mine !== null && holder.processStart !== mine) return { state: 'stale' };
    return { state: 'live', holder, thisProcess: true };
  }
  if (!pidExists(holder.pid)) return { state: 'stale' };
  if (holder.processStart !== null) {
    const now = processStartOf(holder.pid);
    if (now !== null && now !== holder.processStart) return { state: 'stale' };
  }
  return { state: 'live', holder, thisProcess: false };
}

function parseHolder(text: string): LockHolder | null {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (!Number.isInteger(value.pid) || (value.pid as number) <= 0) return null;
    return {
      pid: value.pid as number,
      processStart: typeof value.processStart === 'string' ? value.processStart : null,
      thread: Number.isInteger(value.thread) ? (value.thread as number) : 0,
      host: typeof value.host === 'string' ? value.host : os.hostname(),
      command: typeof value.command === 'string' ? value.command.slice(0, 300) : 'unknown command',
      purpose: typeof value.purpose === 'string' ? value.purpose.slice(0, 200) : 'an unknown purpose',
      since: typeof value.since === 'string' ? value.since : '',
    };
  } catch {
    return null;
  }
}

function readLock(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

const sleepBuffer = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleepBuffer, 0, 0, ms);
}

/**
 * The file as a holder, waiting briefly when it is empty or half written:
 * that only happens on file systems without hard links, where the lock is
 * created first and written after.
 */
function readHolder(file: string): { text: string; holder: LockHolder | null } | null {
  for (let attempt = 0; ; attempt++) {
    const text = readLock(file);
    if (text === null) return null;
    const holder = parseHolder(text);
    if (holder !== null || attempt >= 10) return { text, holder };
    sleepSync(20);
  }
}

/** Creates `file` with `text` in one step; false when it exists already. */
function createLock(file: string, text: string): boolean {
  const temp = `${file}.${process.pid}-${threadId}-${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temp, text);
  try {
    fs.linkSync(temp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // No hard links here (FAT, some network shares): exclusive create, then write.
    try {
      fs.writeFileSync(file, text, { flag: 'wx' });
      return true;
    } catch (fallback) {
      if ((fallback as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fallback;
    }
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/**
 * Removes a stale lock, unless someone replaced it since we read it: the
 * file is moved aside first (one atomic step), and put back when what moved
 * is not the stale text we judged.
 */
function removeStale(file: string, staleText: string): void {
  const aside = `${file}.stale-${process.pid}-${threadId}-${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else removed it first
    throw error;
  }
  try {
    if (fs.readFileSync(aside, 'utf8') !== staleText) {
      // A new owner took the folder between our read and the move: give its lock back.
      try {
        fs.linkSync(aside, file);
      } catch {
        if (!fs.existsSync(file)) fs.renameSync(aside, file);
      }
    }
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

/** The live holder of `folder`, or null when it is free (a stale lock counts as free). */
export function folderHolder(folder: string): { holder: LockHolder; heldByThisProcess: boolean } | null {
  const found = readHolder(path.join(folder, OWNER_LOCK_FILE));
  if (found === null || found.holder === null) return null;
  const verdict = judge(found.holder);
  return verdict.state === 'live' ? { holder: verdict.holder, heldByThisProcess: verdict.thisProcess } : null;
}

/** Takes `folder` (which must exist) for this process, or throws FolderInUseError naming the live holder. */
export function takeOwnership(folder: string, request: OwnershipRequest): OwnerLock {
  const dir = path.resolve(folder);
  const file = path.join(dir, OWNER_LOCK_FILE);
  const holder: LockHolder = {
    pid: process.pid,
    processStart: thisProcessStart(),
    thread: threadId,
    host: os.hostname(),
    command: commandLine(),
    purpose: request.purpose,
    since: new Date().toISOString(),
  };
  const text = `${JSON.stringify(holder, null, 2)}\n`;
  for (let attempt = 0; attempt < 8; attempt++) {
    if (createLock(file, text)) return heldLock(dir, file, holder, text);
    const found = readHolder(file);
    if (found === null) continue; // released between our two steps: try again
    const verdict = found.holder === null ? ({ state: 'stale' } as const) : judge(found.holder);
    if (verdict.state === 'live') {
      const otherHost = verdict.holder.host !== os.hostname();
      throw new FolderInUseError(
        `${request.what} ${dir} is in use by ${describeHolder(verdict.holder)}. ${request.advice}` +
          (otherHost ? ` If GANvas no longer runs on ${verdict.holder.host}, delete ${file}.` : ''),
        dir,
        verdict.holder,
        verdict.thisProcess,
      );
    }
    removeStale(file, found.text);
  }
  throw new Error(`${file}: could not take the lock (other processes kept taking and releasing it); try again`);
}

/** Locks of this thread not yet released; a CLI command that ends with process.exit() still lets go of them. */
const heldHere = new Set<() => void>();
let exitHookInstalled = false;

function heldLock(folder: string, file: string, holder: LockHolder, text: string): OwnerLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    heldHere.delete(release);
    try {
      if (fs.readFileSync(file, 'utf8') === text) fs.unlinkSync(file);
    } catch {
      // Already gone (the folder was deleted, or a later owner took a lock it judged stale).
    }
  };
  heldHere.add(release);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A crash skips this too; its lock is stale then, and the next owner takes it over.
    process.once('exit', () => {
      for (const each of [...heldHere]) each();
    });
  }
  return { folder, file, holder, release };
}

/**
 * Removes `folder`'s lock if thread `thread` of this process holds it: for a
 * worker thread that was terminated, whose `finally` blocks never ran.
 * Returns whether a lock was removed.
 */
export function releaseThreadLock(folder: string, thread: number): boolean {
  const file = path.join(path.resolve(folder), OWNER_LOCK_FILE);
  const found = readHolder(file);
  if (found === null || found.holder === null) return false;
  const { holder } = found;
  if (holder.pid !== process.pid || holder.host !== os.hostname() || holder.thread !== thread) return false;
  if (holder.processStart !== thisProcessStart()) return false;
  removeStale(file, found.text);
  return true;
}
