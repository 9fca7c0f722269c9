import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isProcessAlive } from '../process-alive';

/**
 * PGlite is PostgreSQL compiled into one process: its data folder is that process's alone, and a
 * second process opening it at the same time (the operator's command line beside a running server,
 * or two servers on one data root) would write over the first one's files. So the process that
 * opens it records its pid in `<folder>.lock`; another live process is refused with a message
 * that says why and what to do. A lock whose process is gone (a crash, SIGKILL) is taken over.
 */

export class PgliteInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by process ${pid} (a Tether server?). PGlite is a single-process database: ` +
        `stop that process first, or use PostgreSQL (DATABASE_URL), which the server and the command line can share. ` +
        `If process ${pid} is not Tether, delete ${lockPath(dataDir)}.`,
    );
    this.name = 'PgliteInUseError';
  }
}

const lockPath = (dataDir: string) => `${dataDir.replace(/\/+$/, '')}.lock`;

/** Takes the folder for this process, or throws PgliteInUseError; returns the release. */
export function lockPgliteDir(dataDir: string): () => void {
  const file = lockPath(dataDir);
  const mine = `${process.pid}\n`;
  try {
    writeFileSync(file, mine, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number(readFileSync(file, 'utf8').trim());
    // The same process opening it again (after a close, or in a test) is no second writer.
    if (holder !== process.pid && isProcessAlive(holder)) throw new PgliteInUseError(dataDir, holder);
    writeFileSync(file, mine);
  }
  return () => {
    try {
      if (readFileSync(file, 'utf8') === mine) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}
