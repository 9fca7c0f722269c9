import { z } from 'zod';
import { sweepSnapshotStores } from '@/features/changes/server';
import { operatorConversations, purgeConversationsOlderThan } from '@/features/conversations/server';
import { sweepAgentHomes } from '@/features/runs/server';
import { workspaceNameSchema } from '@/features/workspaces';
import { ageSchema, countSchema, defineCommand, jsonOption, noPositionals, workspaceOption } from './command';
import { short, table, time, usd } from './format';

const DEFAULT_LIMIT = 100;

export const conversations = defineCommand({
  name: 'conversations',
  summary: "a workspace's conversations, every visitor's, latest used first",
  usage: 'conversations --workspace W [--limit N] [--json]',
  help: ['--workspace W   the workspace (required)', `--limit N       at most N (default ${DEFAULT_LIMIT})`, '--json          the same as JSON'],
  options: { ...workspaceOption, limit: { type: 'string', short: 'n' }, ...jsonOption },
  schema: z.object({
    workspace: z.string({ error: 'name the workspace: --workspace W' }).pipe(workspaceNameSchema),
    limit: countSchema(10_000).default(DEFAULT_LIMIT),
    json: z.boolean().default(false),
    positionals: noPositionals,
  }),
  async run({ workspace, limit, json }, { out }) {
    const list = await operatorConversations({ workspace, limit });
    if (json) {
      out(JSON.stringify(list, null, 2));
      return 0;
    }
    if (list.length === 0) {
      out(`No conversations in ${workspace}.`);
      return 0;
    }
    const rows = list.map((conversation) => [
      conversation.id,
      short(conversation.visitorId),
      time(conversation.lastActivityAt),
      time(conversation.expiresAt),
      String(conversation.runs),
      conversation.lastStatus ?? '—',
      usd(conversation.costUsd),
      conversation.title ?? '(untitled)',
    ]);
    for (const line of table(['CONVERSATION', 'VISITOR', 'LAST USED', 'EXPIRES', 'RUNS', 'LAST RUN', 'COST', 'TITLE'], rows)) out(line);
    return 0;
  },
});

export const purge = defineCommand({
  name: 'purge',
  summary: 'deletes conversations nobody used for a while, as expiry does',
  usage: 'purge --older-than AGE [--dry-run]',
  help: ['--older-than AGE   not used for this long: 7d, 12h, 30m (required)', '--dry-run          list them, delete nothing', 'A conversation with a run going is kept: stop the run first.'],
  options: { 'older-than': { type: 'string' }, 'dry-run': { type: 'boolean' } },
  schema: z.object({
    'older-than': z.string({ error: 'say how old, e.g. --older-than 7d' }).pipe(ageSchema),
    'dry-run': z.boolean().default(false),
    positionals: noPositionals,
  }),
  async run({ 'older-than': olderThanSeconds, 'dry-run': dryRun }, { out }) {
    const listed = await purgeConversationsOlderThan({ olderThanSeconds, dryRun });
    const rows = listed.map((conversation) => [conversation.id, conversation.workspace, time(conversation.lastActivityAt), conversation.title ?? '(untitled)']);
    if (rows.length > 0) for (const line of table(['CONVERSATION', 'WORKSPACE', 'LAST USED', 'TITLE'], rows)) out(line);
    if (dryRun) {
      out(`${listed.length} conversation${listed.length === 1 ? '' : 's'} would be deleted (dry run).`);
      return 0;
    }
    // Then what the server does after its periodic purge: the files of conversations that are gone
    // (this data folder's; every other instance's own sweep removes its copies within 10 minutes).
    await sweepAgentHomes();
    await sweepSnapshotStores();
    out(`Deleted ${listed.length} conversation${listed.length === 1 ? '' : 's'} with their runs, subscriptions and attachments.`);
    return 0;
  },
});
