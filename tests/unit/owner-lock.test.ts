/**
 * One owner per folder, with real processes: a live holder refuses everyone
 * else and is named; a dead one's lock (pid gone, or pid reused by a process
 * that started later) is taken over; racing processes end with one owner.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FolderInUseError,
  OWNER_LOCK_FILE,
  folderHolder,
  processStartOf,
  releaseThreadLock,
  takeOwnership,
  type LockHolder,
} from '../../src/main/engine/owner-lock.js';

const owner = path.join(import.meta.dirname, 'fixtures', 'folder-owner.ts');
const request = { purpose: 'the test', what: 'The folder', advice: 'Stop it first.' };
const folders: string[] = [];
const children: ChildProcess[] = [];

function tempFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ganvas-owner-'));
  folders.push(dir);
  return dir;
}

/** A child holding `folder`; resolves once it has printed its first line. */
function holdInChild(folder: string, purpose = 'the test'): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', owner, folder, purpose], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve({ child, line: text.trim() });
    });
    child.once('exit', (code) => (text.includes('\n') ? undefined : reject(new Error(`child exited ${code} before answering`))));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function writeHolder(folder: string, holder: Partial<LockHolder>): void {
  const full: LockHolder = { pid: 1, processStart: null, thread: 0, host: os.hostname(), command: 'ganvas serve', purpose: 'the studio', since: new Date().toISOString(), ...holder };
  fs.writeFileSync(path.join(folder, OWNER_LOCK_FILE), JSON.stringify(full));
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(children.map(exited));
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the owner lock', () => {
  it('refuses while a live process holds the folder, naming its pid, command and purpose; free again once it lets go', async () => {
    const dir = tempFolder();
    const { child, line } = await holdInChild(dir, 'training');
    expect(line).toBe('owned');
    let refusal: unknown;
    try {
      takeOwnership(dir, request);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(FolderInUseError);
    const message = (refusal as Error).message;
    expect(message).toContain(`process ${child.pid} `);
    expect(message).toMatch(/folder-owner .*, for training, since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(less than a minute ago\)\. Stop it first\./);
    expect((refusal as FolderInUseError).heldByThisProcess).toBe(false);
    expect(folderHolder(dir)?.holder.pid).toBe(child.pid);

    child.stdin!.end();
    expect(await exited(child)).toBe(0);
    expect(fs.existsSync(path.join(dir, OWNER_LOCK_FILE))).toBe(false);
    const mine = takeOwnership(dir, request);
    expect(folderHolder(dir)).toMatchObject({ holder: { pid: process.pid }, heldByThisProcess: true });
    mine.release();
    expect(fs.existsSync(path.join(dir, OWNER_LOCK_FILE))).toBe(false);
  });

  it('takes over the lock of a process that was killed', async () => {
    const dir = tempFolder();
    const { child } = await holdInChild(dir);
    child.kill('SIGKILL');
    await exited(child);
    expect(JSON.parse(fs.readFileSync(path.join(dir, OWNER_LOCK_FILE), 'utf8')).pid).toBe(child.pid);
    expect(folderHolder(dir)).toBeNull();
    const lock = takeOwnership(dir, request);
    expect(lock.holder.pid).toBe(process.pid);
    lock.release();
  });

  it.runIf(process.platform !== 'win32')('takes over a lock whose pid now belongs to a process that started at another time', async () => {
    const dir = tempFolder();
    // A live process (our own parent) with a start time that is not its own: what a reused pid looks like.
    const reused = process.ppid;
    expect(processStartOf(reused)).not.toBeNull();
    writeHolder(dir, { pid: reused, processStart: 'linux:some-earlier-boot:1' });
    expect(folderHolder(dir)).toBeNull();
    const lock = takeOwnership(dir, request);
    lock.release();

    // The same pid with its real start time is a live holder.
    writeHolder(dir, { pid: reused, processStart: processStartOf(reused) });
    expect(() => takeOwnership(dir, request)).toThrow(FolderInUseError);
  });

  it('treats a lock from another host as held, and says which file to delete', () => {
    const dir = tempFolder();
    writeHolder(dir, { pid: 999_999, host: 'far-away-box' });
    expect(() => takeOwnership(dir, request)).toThrow(/process 999999 on far-away-box .*If GANvas no longer runs on far-away-box, delete .*owner\.lock/);
  });

  it('refuses a second owner inside the same process, and frees a terminated thread\'s lock on request', () => {
    const dir = tempFolder();
    const first = takeOwnership(dir, request);
    let refusal: unknown;
    try {
      takeOwnership(dir, request);
    } catch (error) {
      refusal = error;
    }
    expect((refusal as FolderInUseError).heldByThisProcess).toBe(true);
    expect((refusal as Error).message).toContain(`this process (${process.pid})`);
    expect(releaseThreadLock(dir, 7)).toBe(false); // held by thread 0, not 7
    expect(fs.existsSync(path.join(dir, OWNER_LOCK_FILE))).toBe(true);
    expect(releaseThreadLock(dir, 0)).toBe(true);
    const second = takeOwnership(dir, request);
    first.release(); // a stale handle never removes the new owner's lock
    expect(folderHolder(dir)?.holder.since).toBe(second.holder.since);
    second.release();
  });

  it('leaves exactly one owner when several processes race for a stale lock', async () => {
    const dir = tempFolder();
    writeHolder(dir, { pid: 999_999, processStart: null }); // no such process: stale
    const racers = await Promise.all(Array.from({ length: 4 }, () => holdInChild(dir)));
    const lines = racers.map((r) => r.line);
    expect(lines.filter((line) => line === 'owned')).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('refused: '))).toHaveLength(3);
    const winner = racers.find((r) => r.line === 'owned')!;
    expect(folderHolder(dir)?.holder.pid).toBe(winner.child.pid);
    winner.child.stdin!.end();
    await Promise.all(racers.map((r) => exited(r.child)));
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
