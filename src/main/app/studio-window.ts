/**
 * How the studio window is built and what its session adds to every
 * response, as plain data and functions (no `electron` import at run time),
 * so the security settings are tested under Node rather than trusted.
 *
 * The settings follow Electron's security checklist
 * (https://www.electronjs.org/docs/latest/tutorial/security): context
 * isolation, the renderer sandbox, no Node in the page, web security on, no
 * insecure content, no <webview>, a CSP on every response.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../../shared/security.js';

export function studioWindowOptions(options: {
  preload: string;
  icon: string;
  developerTools: boolean;
}): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'GANvas',
    backgroundColor: '#16181d',
    icon: options.icon,
    show: false,
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      // A packaged app cannot open developer tools at all, not only not from the menu.
      devTools: options.developerTools,
      spellcheck: false,
    },
  };
}

/**
 * The response headers with our CSP in place of any the server sent (the dev
 * server sends none; a header named in another case would otherwise survive
 * next to ours).
 */
export function withContentSecurityPolicy(headers: Record<string, string[]> | undefined): Record<string, string[]> {
  const kept = Object.entries(headers ?? {}).filter(([name]) => name.toLowerCase() !== 'content-security-policy');
  return { ...Object.fromEntries(kept), 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] };
}

/** Why the app failed to start, in words a user can act on. */
export function startupFailureMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/NODE_MODULE_VERSION|compiled against a different Node\.js version|better_sqlite3\.node/.test(message)) {
    return (
      'The gallery database module (better-sqlite3) is not built for this version of Electron.\n\n' +
      'Run `npm start` again from the GANvas folder: it builds the module for Electron into native/ ' +
      '(or run `npm run electron:native` to see what fails). Meanwhile `npx ganvas serve` runs the studio in a browser.\n\n' +
      `Details: ${message}`
    );
  }
  return `GANvas could not start.\n\n${message}`;
}
