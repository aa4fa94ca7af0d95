/**
 * `ganvas bench --peer`: the same canonical networks timed in PyTorch on this
 * machine by ../shared/bench/peer_torch.py (Debian's python3-torch; the script
 * writes the networks from the papers' tables, one JSON line per case), at one
 * thread and at every core, and each of our numbers divided by PyTorch's at
 * the same thread count: wasm (our threaded build's lines at that count where the
 * bench ran them, else the one-thread line) and ONNX
 * Runtime. A ratio above 1 is slower than PyTorch.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../engine/install-location.js';

const run = promisify(execFile);

/** Our subject id and pass for each of the script's cases. */
const CASES: Record<string, { network: string; pass: 'forward' | 'trainingStep'; field: string }[]> = {
  pix2pix_unet: [
    { network: 'pix2pix-unet-G-ngf64', pass: 'forward', field: 'ms_forward' },
    { network: 'pix2pix-iteration-ngf64', pass: 'trainingStep', field: 'ms_train_iter' },
  ],
  cyclegan_resnet_G_forward: [{ network: 'cyclegan-resnet9-G-ngf64', pass: 'forward', field: 'ms_forward' }],
  srresnet_x4_forward: [{ network: 'srgan-srresnet-G-x4', pass: 'forward', field: 'ms_forward' }],
};

export interface PeerLine {
  network: string;
  pass: 'forward' | 'trainingStep';
  size: number;
  threads: number;
  torchMs: number;
  wasmMs?: number;
  /** wasm ms / PyTorch ms at this thread count (the wasm-threads line at that count, else one thread's). */
  wasmRatio?: number;
  onnxMs?: number;
  /** ONNX Runtime ms / PyTorch ms, both at this thread count. */
  onnxRatio?: number;
}

export interface PeerReport {
  script: string;
  python: string;
  size: number;
  threads: number[];
  lines: PeerLine[];
}

/** The peer script: --peer-script, else ../shared/bench/peer_torch.py from the working folder or the install. */
export function findPeerScript(explicit?: string): string | undefined {
  const candidates = explicit ? [explicit] : [path.resolve('..', 'shared', 'bench', 'peer_torch.py'), path.resolve(packageRoot(), '..', 'shared', 'bench', 'peer_torch.py')];
  return candidates.find((file) => existsSync(file));
}

export interface OurTimes {
  wasm(network: string, pass: 'forward' | 'trainingStep', size: number, threads: number): number | undefined;
  onnx(network: string, size: number, threads: number): number | undefined;
}

export async function measurePeer(options: { script: string; python?: string; size: number; threads: number[]; ours: OurTimes; log: (message: string) => void }): Promise<PeerReport> {
  const python = options.python ?? process.env['GANVAS_PEER_PYTHON'] ?? '/usr/bin/python3';
  const lines: PeerLine[] = [];
  for (const threads of options.threads) {
    options.log(`peer: PyTorch (${options.script}) at ${options.size} px, ${threads} thread${threads === 1 ? '' : 's'}`);
    const { stdout } = await run(python, [options.script, String(options.size), String(threads)], { timeout: 15 * 60_000, maxBuffer: 1 << 20 });
    for (const text of stdout.split('\n').filter((l) => l.trim().startsWith('{'))) {
      const record = JSON.parse(text) as Record<string, unknown>;
      for (const mapping of CASES[String(record['case'])] ?? []) {
        const torchMs = Number(record[mapping.field]);
        if (!(torchMs > 0)) continue;
        const line: PeerLine = { network: mapping.network, pass: mapping.pass, size: options.size, threads: Number(record['threads'] ?? threads), torchMs };
        const wasm = options.ours.wasm(mapping.network, mapping.pass, options.size, line.threads);
        if (wasm !== undefined) Object.assign(line, { wasmMs: wasm, wasmRatio: Math.round((wasm / torchMs) * 1000) / 1000 });
        const onnx = mapping.pass === 'forward' ? options.ours.onnx(mapping.network, options.size, line.threads) : undefined;
        if (onnx !== undefined) Object.assign(line, { onnxMs: onnx, onnxRatio: Math.round((onnx / torchMs) * 1000) / 1000 });
        options.log(`  ${mapping.network} ${mapping.pass}: PyTorch ${torchMs} ms${line.wasmRatio ? `, wasm ${line.wasmRatio}×` : ''}${line.onnxRatio ? `, ONNX ${line.onnxRatio}×` : ''}`);
        lines.push(line);
      }
    }
  }
  return { script: options.script, python, size: options.size, threads: options.threads, lines };
}
