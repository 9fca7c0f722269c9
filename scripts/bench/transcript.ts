import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

type Entry = { type: string; uuid?: string; parentUuid?: string | null; timestamp?: string; [key: string]: unknown };

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
/** A tool call's id (the scripted API's `toolu_<message>_<index>`): each copied turn gets its own. */
const TOOL_ID = /toolu_[A-Za-z0-9_]+/g;

/** The transcript the CLI wrote for a conversation: the newest JSONL under the config dir that mentions `prompt`. */
export function findTranscript(claudeDir: string, prompt: string): string {
  const projects = path.join(claudeDir, 'projects');
  const files = readdirSync(projects).flatMap((project) =>
    readdirSync(path.join(projects, project))
      .filter((name) => name.endsWith('.jsonl'))
      .map((name) => path.join(projects, project, name)),
  );
  const matching = files.filter((file) => readFileSync(file, 'utf8').includes(JSON.stringify(prompt)));
  const newest = matching.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!newest) throw new Error(`no transcript mentions ${JSON.stringify(prompt)}`);
  return newest;
}

/**
 * Grows a real transcript to `turns` turns by repeating its last turn, exactly as the CLI wrote
 * it (queue operations, the user entry, its attachments, the request-cache lines, the assistant
 * entry, its tool calls and results, last-prompt, mode, cost lines), with fresh uuids and tool
 * ids, a parentUuid chain continuing from
 * the previous turn's leaf, later timestamps, and new texts. Running 200 real turns would mean
 * 200 CLI starts; this gives the same file shape in milliseconds.
 */
export function extendTranscript({
  file,
  lastPrompt,
  lastReply,
  turns,
  promptFor,
  replyFor,
}: {
  file: string;
  /** The texts of the real last turn, replaced in each copy. */
  lastPrompt: string;
  lastReply: string;
  turns: number;
  promptFor: (turn: number) => string;
  replyFor: (turn: number) => string;
}): void {
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  const entries = lines.map((line) => JSON.parse(line) as Entry);
  // The last turn starts at its queue 'enqueue' (the CLI writes one before each prompt).
  const start = entries.findLastIndex((entry) => entry.type === 'queue-operation' && entry.operation === 'enqueue');
  const template = lines.slice(start);
  const templateEntries = entries.slice(start);
  const realTurns = entries.filter((entry) => entry.type === 'queue-operation' && entry.operation === 'enqueue').length;
  const firstChained = templateEntries.find((entry) => entry.uuid)!;
  let leaf = entries.findLast((entry) => entry.uuid)!.uuid!;
  // Ids the template defines get fresh values per copy; ids it only points at (its parent) are wired by hand.
  const defined = new Set(templateEntries.flatMap((entry) => [entry.uuid, entry.promptId, entry.type === 'api-request' ? entry.id : undefined]).filter((id): id is string => typeof id === 'string'));
  const times = templateEntries.map((entry) => (entry.timestamp ? Date.parse(entry.timestamp) : Number.NaN));
  const firstTime = Math.min(...times.filter(Number.isFinite));
  const span = Math.max(...times.filter(Number.isFinite)) - firstTime + 1;
  const lastTime = Math.max(...entries.map((entry) => (entry.timestamp ? Date.parse(entry.timestamp) : 0)));

  const out: string[] = [];
  for (let turn = realTurns + 1; turn <= turns; turn++) {
    const fresh = new Map([...defined].map((id) => [id, randomUUID()]));
    const shift = lastTime + 1 + (turn - realTurns - 1) * span - firstTime;
    const rehashed = new Map<string, string>();
    for (const line of template) {
      const text = line
        .replace(UUID, (id) => fresh.get(id) ?? (id === firstChained.parentUuid ? leaf : id))
        .replace(TOOL_ID, (id) => `${id}_turn${turn}`)
        .replaceAll(escaped(lastPrompt), escaped(promptFor(turn)))
        .replaceAll(escaped(lastReply), escaped(replyFor(turn)));
      const entry = JSON.parse(text) as Entry;
      if (entry.timestamp) entry.timestamp = new Date(Date.parse(entry.timestamp) + shift).toISOString();
      if (entry.type === 'assistant') (entry.message as { id: string }).id = `msg_bench_${turn}`;
      // The CLI's request cache keys each message by a content hash; the new text gets a new key.
      if (entry.type === 'api-request-blob') {
        const hash = createHash('sha256').update(JSON.stringify(entry.message)).digest('hex');
        rehashed.set(entry.hash as string, hash);
        entry.hash = hash;
      }
      if (entry.type === 'api-request') entry.tail = (entry.tail as string[]).map((hash) => rehashed.get(hash) ?? hash);
      if (entry.uuid) leaf = entry.uuid;
      out.push(JSON.stringify(entry));
    }
  }
  appendFileSync(file, out.map((line) => line + '\n').join(''));
}

/** A string as it appears inside a JSON string literal. */
function escaped(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
