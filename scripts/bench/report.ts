import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const docsFile = path.resolve(import.meta.dirname, '../../docs/benchmarks.md');
const START = '<!-- bench:results:start (written by `npm run bench`; edit outside these markers) -->';
const END = '<!-- bench:results:end -->';

const intro = `# Benchmarks

\`npm run bench\` measures Tether against the bare Agent SDK on this machine and rewrites the
results below (three to four minutes; \`next build\` first if \`.next/BUILD_ID\` is missing).
It needs what \`npm test\` needs: the installed SDK (its CLI runs offline against a scripted
Messages API in the bench process) and Chromium at \`/usr/bin/chromium\` (or \`CHROMIUM_PATH\`).
It serves a private copy of \`.next\` with two \`next start\` servers on free ports (the second with
\`TETHER_WARM_IDLE_SECONDS=0\`), keeps all data in a temp folder, and stops its servers and removes
the folder when it ends, on errors too. Linux only (it reads /proc); the 1,000-viewer benchmark
needs an open-files limit well above 1,000 (\`ulimit -Hn\`: Node raises its soft limit to the hard
one), as the bench and the server each hold a socket per viewer. Run it on an otherwise idle
machine: with 2 cores, any other work shows up in every figure.
`;

export function machine(): string {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const ram = (os.totalmem() / 1024 ** 3).toFixed(1);
  return `${os.availableParallelism()} cores (\`nproc\`), ${cpu}, ${ram} GiB RAM, Node ${process.version}, ${os.type()} ${os.release()}`;
}

/**
 * Other work on the machine skews every figure: the share of all CPU time that processes other
 * than this one used over one second says whether there was any (the load average would still
 * count our own previous run).
 */
export async function otherCpuUse(): Promise<string> {
  const sample = () => {
    const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { idle: ticks[3]! + ticks[4]!, total: ticks.reduce((sum, value) => sum + value, 0), own: process.cpuUsage() };
  };
  const before = sample();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = sample();
  const busy = 1 - (after.idle - before.idle) / (after.total - before.total);
  const ownMicros = after.own.user + after.own.system - before.own.user - before.own.system;
  const own = ownMicros / 1e6 / os.availableParallelism(); // over ~1 s of wall time
  return `${Math.max(0, Math.round(100 * (busy - own)))}%`;
}

/** Replaces the results between the markers (creating the file with its intro on the first run). */
export function writeResults(results: string): string {
  const block = `${START}\n${results.trim()}\n${END}`;
  const current = existsSync(docsFile) ? readFileSync(docsFile, 'utf8') : `${intro}\n${START}\n${END}\n`;
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next = start !== -1 && end > start ? current.slice(0, start) + block + current.slice(end + END.length) : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(docsFile, next);
  return docsFile;
}
