/** The name the API gives the export too (`Content-Disposition`), so both ways of downloading agree. */
export const LINKS_CSV_FILE_NAME = 'product-sync-links.csv';

/**
 * Hands a file the page already holds to the browser's download. The API needs the bearer token, which a plain
 * link cannot send, so the file is fetched first and then offered through an object URL.
 */
export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.hidden = true;
  document.body.appendChild(anchor);
  try {
    anchor.click();
  } finally {
    anchor.remove();
    // Revoked once the click has been handled: revoking at once can cancel the download in some browsers.
    window.setTimeout(() => {
      URL.revokeObjectURL(url);
    }, 0);
  }
}
