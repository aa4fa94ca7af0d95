/** Messages between the inference service (main thread) and its worker. */
import type { BackendChoice, BackendReport } from '../backend/index.js';
import type { ErrorCode } from '../../../shared/contract.js';

export interface InferenceWorkerSetup {
  dataDir: string;
  bundledDir?: string;
  cacheSize: number;
  /** Forces a tfjs backend (else GANVAS_BACKEND, else the fastest that starts). */
  backend?: BackendChoice;
}

export interface InferenceStats {
  numTensors: number;
  numBytes: number;
  /** Ids of the models loaded, least recently used first. */
  cachedModels: string[];
  served: number;
}

export interface TranslateReply {
  image: Uint8Array;
  width: number;
  height: number;
  ms: number;
  resizedNote: string | null;
}

export interface EstimateReply {
  secondsPerStep: number;
  warmUpSeconds: number;
  backend: string;
}

export type ToInferenceWorker =
  | { type: 'translate'; requestId: number; modelId: string; image: Uint8Array; options: Record<string, unknown> }
  | { type: 'estimate'; requestId: number; family: string; config: Record<string, unknown> }
  | { type: 'backend'; requestId: number }
  | { type: 'stats'; requestId: number };

export type FromInferenceWorker =
  | { type: 'reply'; requestId: number; ok: true; value: TranslateReply | BackendReport | InferenceStats | EstimateReply }
  | { type: 'reply'; requestId: number; ok: false; error: { code: ErrorCode; message: string; userFacing: boolean } };
