/** Newest mtime of the .ts sources under `root` (server/, routes/, db/, seed/); 0 when there are none. */
export function newestSource(root: string): number;
