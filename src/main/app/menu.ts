import { Menu, BrowserWindow, type MenuItemConstructorOptions } from 'electron';

const views = ['Doodle', 'Translate', 'Upscale', 'Train', 'Gallery', 'Models'] as const;

/** The app menu; view shortcuts match the renderer's own (Ctrl/Cmd+1…6). */
export function buildMenu(): Menu {
  const go = (view: string) => () => {
    const window = BrowserWindow.getFocusedWindow();
    // Navigation is a hash change inside our own page; nothing is evaluated from outside.
    void window?.webContents.executeJavaScript(`location.hash = ${JSON.stringify(`#/${view.toLowerCase()}`)}`);
  };
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...views.map((view, index) => ({ label: view, accelerator: `CmdOrCtrl+${index + 1}`, click: go(view) })),
        { type: 'separator' as const },
        { role: 'reload' as const },
        { role: 'toggleDevTools' as const },
        { role: 'togglefullscreen' as const },
      ],
    },
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}
