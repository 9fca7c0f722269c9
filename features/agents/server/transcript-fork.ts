import 'server-only';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { forkSession, type SessionKey, type SessionStore, type SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import { serverEnv } from '@/lib/env';
import { agentHome } from '@/features/sandbox/server';
import { SHARED_PROJECT_KEY } from './transcript-disk';
import { transcriptFile, transcriptSource } from './transcript';
import { MAX_BATCH } from './transcript-mirror';
import { databaseTranscriptStore } from './transcript-store';

/**
 * Copies conversation `from`'s session, up to and including the entry `upToMessageId` (all of it
 * when null), into a new session of conversation `to`, which resumes it as its own; returns the new
 * session's id. The SDK's forkSession does the copying (new entry ids, the parent chain kept); the
 * store given to it reads `from`'s transcript and writes `to`'s, each where that conversation's
 * are kept, so neither agent ever sees the other's folder. The session's subagent transcripts are
 * copied as they are: the history shows their steps in the branch too.
 */
export async function forkTranscript({
  from,
  to,
  sessionId,
  upToMessageId,
  workspaceDir,
  title,
}: {
  from: string;
  to: string;
  sessionId: string;
  upToMessageId: string | null;
  workspaceDir: string;
  title: string;
}): Promise<string> {
  const source = transcriptSource(from, workspaceDir);
  const target = serverEnv().transcripts === 'database' ? databaseTranscriptStore(to) : diskWriter(from, to, sessionId);
  const store: SessionStore = { load: source.sessionStore.load, append: (key, entries) => appendInBatches(target, key, entries) };
  const forked = await forkSession(sessionId, { sessionStore: store, dir: source.dir, title, ...(upToMessageId ? { upToMessageId } : {}) });
  await copySubagents({ from, to, sessionId, forkedId: forked.sessionId, source: source.sessionStore, target });
  return forked.sessionId;
}

async function appendInBatches(store: SessionStore, key: SessionKey, entries: SessionStoreEntry[]): Promise<void> {
  for (let start = 0; start < entries.length; start += MAX_BATCH) await store.append(key, entries.slice(start, start + MAX_BATCH));
}

/**
 * Transcripts on disk: `to`'s copy goes into its own config folder, under the project folder the
 * CLI used for `from` (the same workspace, so the same name), where its CLI looks when it resumes.
 */
function diskWriter(from: string, to: string, sessionId: string): SessionStore {
  const projectFolder = (): string => {
    const file = transcriptFile(from, sessionId);
    if (!file) throw new Error(`No transcript of session ${sessionId} on this disk.`);
    return path.join(agentHome(to), '.claude', 'projects', path.basename(path.dirname(file)));
  };
  return {
    load: async () => null,
    append: async ({ sessionId: written, subpath }, entries) => {
      const file = path.join(projectFolder(), subpath ? path.join(written, `${subpath}.jsonl`) : `${written}.jsonl`);
      mkdirSync(path.dirname(file), { recursive: true });
      await appendFile(file, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    },
  };
}

async function copySubagents({
  from,
  to,
  sessionId,
  forkedId,
  source,
  target,
}: {
  from: string;
  to: string;
  sessionId: string;
  forkedId: string;
  source: SessionStore;
  target: SessionStore;
}): Promise<void> {
  if (serverEnv().transcripts === 'disk') {
    const file = transcriptFile(from, sessionId);
    const folder = file?.slice(0, -'.jsonl'.length);
    const forkedFile = transcriptFile(to, forkedId);
    if (folder && forkedFile && existsSync(folder)) cpSync(folder, forkedFile.slice(0, -'.jsonl'.length), { recursive: true });
    return;
  }
  for (const subpath of (await source.listSubkeys?.({ projectKey: SHARED_PROJECT_KEY, sessionId })) ?? []) {
    const entries = await source.load({ projectKey: SHARED_PROJECT_KEY, sessionId, subpath });
    if (entries?.length) await appendInBatches(target, { projectKey: SHARED_PROJECT_KEY, sessionId: forkedId, subpath }, entries);
  }
}
