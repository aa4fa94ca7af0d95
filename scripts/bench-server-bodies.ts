// Manual measurement (not a test): peak and kept memory of a `ganvas serve`
// child while three large request bodies arrive at once, as JSON with a
// Content-Length, as chunked JSON, and as streamed uploads (POST /upload).
// Prints one JSON report. Each scenario runs on a fresh server, so the peak
// (VmHWM from /proc) is that scenario's alone.
//
// Run: node --import tsx scripts/bench-server-bodies.ts [--ganvas path/to/bin/ganvas.js] [--mb 276] [--upload-mb 200]
// (--ganvas measures another checkout, e.g. the code before a change.)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { ganvas: { type: 'string' }, mb: { type: 'string' }, 'upload-mb': { type: 'string' } } });
const ganvas = path.resolve(values.ganvas ?? 'bin/ganvas.js');
const MiB = 1024 * 1024;
const bodyBytes = Number(values.mb ?? 276) * 1e6;
const uploadBytes = Number(values['upload-mb'] ?? 200) * 1e6;
const TOKEN = 'bench-bodies-token-0123456789';

function memory(pid: number): { peakMiB: number; rssMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { peakMiB: Math.round(kib('VmHWM') / 1024), rssMiB: Math.round(kib('VmRSS') / 1024) };
}

async function startServer(dataDir: string): Promise<{ pid: number; port: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [ganvas, 'serve', '--port', '0', '--data-dir', dataDir], { env: { ...process.env, GANVAS_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /127\.0\.0\.1:(\d+)\/\?token=/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', () => reject(new Error(`ganvas serve ended:\n${output}`)));
  });
  return {
    pid: child.pid!,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

/** Sends `total` bytes (never all in memory) and resolves with the status, or the transport error. */
function send(port: number, target: string, total: number, options: { chunked: boolean; type: string; head?: string; tail?: string }): Promise<string> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': options.type };
    if (!options.chunked) headers['Content-Length'] = String(total);
    const req = httpRequest({ host: '127.0.0.1', port, path: target, method: 'POST', headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(`HTTP ${res.statusCode}`));
    });
    req.on('error', (error) => resolve(`error ${(error as NodeJS.ErrnoException).code ?? error.message}`));
    const piece = Buffer.alloc(MiB, 'A');
    let sent = 0;
    if (options.head) {
      req.write(options.head);
      sent += options.head.length;
    }
    const end = total - (options.tail?.length ?? 0);
    const pump = () => {
      while (sent < end && !req.destroyed) {
        const size = Math.min(piece.length, end - sent);
        sent += size;
        if (!req.write(piece.subarray(0, size))) return void req.once('drain', pump);
      }
      if (!req.destroyed) req.end(options.tail);
    };
    pump();
  });
}

async function scenario(name: string, target: string, total: number, options: { chunked: boolean; type: string; head?: string; tail?: string }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ganvas-bench-bodies-'));
  const server = await startServer(path.join(dir, 'data'));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const idle = memory(server.pid);
  let peakSeen = idle.rssMiB;
  const sampler = setInterval(() => {
    try {
      peakSeen = Math.max(peakSeen, memory(server.pid).rssMiB);
    } catch {
      // the server ended
    }
  }, 50);
  const started = Date.now();
  const answers = await Promise.all([0, 1, 2].map(() => send(server.port, target, total, options)));
  const seconds = (Date.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 3000));
  clearInterval(sampler);
  let after: { peakMiB: number; rssMiB: number } | null = null;
  try {
    after = memory(server.pid);
  } catch {
    // the server ended
  }
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  return { name, bodiesMB: Math.round(total / 1e6), answers, seconds, idleRssMiB: idle.rssMiB, peakRssMiB: after?.peakMiB ?? peakSeen, keptRssMiB: after?.rssMiB ?? null };
}

// A gallery.import as the browser used to send it: one file as base64 in the JSON.
const head = '{"files":[{"name":"big.png","dataBase64":"';
const tail = '"}]}';
const report = {
  ganvas,
  node: process.version,
  scenarios: [
    await scenario('3 JSON bodies at once, with Content-Length', '/api/gallery.import', bodyBytes, { chunked: false, type: 'application/json', head, tail }),
    await scenario('3 JSON bodies at once, chunked', '/api/gallery.import', bodyBytes, { chunked: true, type: 'application/json', head, tail }),
    await scenario('3 streamed uploads at once (POST /upload)', '/upload', uploadBytes, { chunked: false, type: 'application/octet-stream' }),
  ],
};
console.log(JSON.stringify(report, null, 2));
