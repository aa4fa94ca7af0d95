/**
 * The application menu as a template (plain data, no `electron` import at
 * run time), so what a packaged app offers is tested under Node. A packaged
 * app has no developer tools in its menu: they would let anyone at the
 * keyboard run code in the page that holds the API bridge.
 */
import type { MenuItemConstructorOptions } from 'electron';

export const VIEWS = ['Doodle', 'Translate', 'Upscale', 'Train', 'Gallery', 'Models'] as const;
export type ViewName = (typeof VIEWS)[number];

export interface MenuOptions {
  platform: NodeJS.Platform;
  /** True only when running unpackaged (`npm start`, `npm run dev`). */
  developerTools: boolean;
  /** Switches the focused window to a view (the renderer's own Ctrl/Cmd+1…6). */
  showView: (view: ViewName) => void;
}

export function menuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const viewItems: MenuItemConstructorOptions[] = VIEWS.map((view, index) => ({
    label: view,
    accelerator: `CmdOrCtrl+${index + 1}`,
    click: () => options.showView(view),
  }));
  const developerItems: MenuItemConstructorOptions[] = options.developerTools
    ? [{ type: 'separator' }, { role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }]
    : [];
  return [
    ...(options.platform === 'darwin' ? [{ role: 'appMenu' } as const] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [...viewItems, { type: 'separator' }, { role: 'togglefullscreen' }, ...developerItems],
    },
    { role: 'windowMenu' },
  ];
}
