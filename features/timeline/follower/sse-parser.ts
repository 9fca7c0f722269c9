/**
 * The one SSE reader of run event streams: the browser's follower, the tests' and the bench's
 * clients all split the text through here. No imports, so the bench's worker thread loads it
 * as is.
 */

/** One frame: its `id:` (the event's seq), its joined `data:` lines, or a comment (`: ok`, `: heartbeat`) that only proves the link is alive. */
export type SseFrame = { id: string | null; data: string | null; comment: boolean };

/** Returns a function to feed text chunks to; `onFrame` gets each complete frame, in order. */
export function sseParser(onFrame: (frame: SseFrame) => void): (chunk: string) => void {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    let boundary;
    while ((boundary = buffer.indexOf('\n\n')) !== -1) {
      const lines = buffer.slice(0, boundary).split('\n');
      buffer = buffer.slice(boundary + 2);
      let id: string | null = null;
      let data: string | null = null;
      let comment = false;
      for (const line of lines) {
        if (line.startsWith('data: ')) data = data === null ? line.slice(6) : `${data}\n${line.slice(6)}`;
        else if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith(':')) comment = true;
      }
      if (data !== null || comment) onFrame({ id, data, comment: data === null });
    }
  };
}
