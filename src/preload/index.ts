/**
 * The preload exposes the contract and nothing else: `window.ganvas.call`
 * and `window.ganvas.on`. It runs sandboxed, so it can only use
 * contextBridge and ipcRenderer; validation happens in the main process.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../shared/channels.js';
import type { Outcome, PreloadBridge } from '../shared/contract.js';

const bridge: PreloadBridge = {
  call(method: string, request: unknown): Promise<Outcome<unknown>> {
    return ipcRenderer.invoke(IPC_CALL_CHANNEL, String(method), request) as Promise<Outcome<unknown>>;
  },
  on(event: string, listener: (payload: unknown) => void): () => void {
    const name = String(event);
    const forward = (_e: IpcRendererEvent, received: unknown, payload: unknown) => {
      if (received === name) listener(payload);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, forward);
    return () => ipcRenderer.off(IPC_EVENT_CHANNEL, forward);
  },
};

contextBridge.exposeInMainWorld('ganvas', bridge);
