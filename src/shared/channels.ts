// Transport constants, kept free of imports: the sandboxed preload bundles this file alone.
export const IPC_CALL_CHANNEL = 'ganvas:call';
export const IPC_EVENT_CHANNEL = 'ganvas:event';
export const MEDIA_SCHEME = 'ganvas-media';
