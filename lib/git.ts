import 'server-only';
import { spawn } from 'node:child_process';
import { processPath } from '@/lib/env';

/**
 * A repository named by its folders alone (GIT_DIR and GIT_WORK_TREE), so its git folder can live
 * apart from its work tree. `indexFile`: another index than the git folder's own, for one git
 * folder that serves several work trees.
 */
export type GitRepo = { gitDir: string; workTree: string; indexFile?: string };

export class GitError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
    readonly timedOut: boolean,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

type GitOptions = {
  /** When the whole operation must be done (epoch ms): the command is killed then. */
  deadline: number;
  input?: string | Buffer;
  /** Another index than the repository's (Undo works on a copy). */
  indexFile?: string;
  /** Past this many bytes of output the command is stopped; `truncated` says so. */
  maxBytes?: number;
};

const MAX_STDERR_CHARS = 4000;
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/**
 * Runs git on the repository with nothing of the host's git set-up (no system or global
 * config, no prompts, messages in English for the checks that read them), in the work tree so
 * `.` names the work tree. Rejects with a GitError on a non-zero exit or at the deadline.
 */
export function runGit(repo: GitRepo, args: string[], { deadline, input, indexFile, maxBytes = DEFAULT_MAX_BYTES }: GitOptions): Promise<{ stdout: Buffer; truncated: boolean }> {
  const remaining = deadline - Date.now();
  if (remaining <= 0) return Promise.reject(new GitError(`git ${args[0]}: out of time`, '', true));
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: repo.workTree,
      env: {
        PATH: processPath(),
        GIT_DIR: repo.gitDir,
        GIT_WORK_TREE: repo.workTree,
        ...((indexFile ?? repo.indexFile) ? { GIT_INDEX_FILE: indexFile ?? repo.indexFile } : {}),
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_TERMINAL_PROMPT: '0',
        GIT_NO_REPLACE_OBJECTS: '1',
        HOME: repo.gitDir,
        LC_ALL: 'C',
      } as Partial<NodeJS.ProcessEnv> as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let truncated = false;
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, remaining);
    child.stdout.on('data', (chunk: Buffer) => {
      if (truncated) return;
      bytes += chunk.length;
      if (bytes > maxBytes) {
        truncated = true;
        chunks.push(chunk.subarray(0, chunk.length - (bytes - maxBytes)));
        child.kill('SIGKILL');
        return;
      }
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR_CHARS) stderr += chunk.toString('utf8');
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new GitError(`git could not be started: ${error.message}`, '', false));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (truncated) return resolve({ stdout: Buffer.concat(chunks), truncated });
      if (timedOut) return reject(new GitError(`git ${args[0]} took too long`, stderr, true));
      if (code !== 0) return reject(new GitError(`git ${args[0]} failed: ${stderr.trim().split('\n').at(-1) ?? `exit ${code}`}`, stderr, false));
      resolve({ stdout: Buffer.concat(chunks), truncated });
    });
    // A command that reads no input may close its stdin first: that is no failure.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/** A NUL-separated list (git's `-z` output) as its entries. */
export function nulList(stdout: Buffer): string[] {
  const text = stdout.toString('utf8');
  return text === '' ? [] : text.replace(/\0$/, '').split('\0');
}

/** Pathspecs that match exactly these paths (no globbing), one per NUL, for `--pathspec-from-file`. */
export function literalPathspecs(paths: string[], magic: 'literal' | 'exclude,literal' = 'literal'): string {
  return paths.map((file) => `:(${magic})${file}\0`).join('');
}
