/**
 * Dropping files anywhere on a view: counts nested dragenter/dragleave pairs
 * (children fire their own) so the overlay neither flickers nor sticks, and
 * ignores drags that carry no files (text, links).
 */
function carriesFiles(event: DragEvent): boolean {
  return [...(event.dataTransfer?.types ?? [])].includes('Files');
}

export function createFileDrop(onFiles: (files: File[]) => void) {
  let depth = $state(0);
  return {
    /** True while files are dragged over the view. */
    get active(): boolean {
      return depth > 0;
    },
    enter(event: DragEvent): void {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth++;
    },
    over(event: DragEvent): void {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    },
    leave(event: DragEvent): void {
      if (carriesFiles(event)) depth = Math.max(0, depth - 1);
    },
    drop(event: DragEvent): void {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth = 0;
      onFiles([...(event.dataTransfer?.files ?? [])]);
    },
  };
}
