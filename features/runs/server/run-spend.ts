import 'server-only';
import { chargeSpend } from '@/features/limits/server';
import { serverEnv } from '@/lib/env';
import { formatUsd } from '@/lib/format-usd';
import type { Spend } from '@/features/sandbox/server';
import type { Run } from './run';
import { countSpend } from './run-metrics';
import { saveRunProgress } from './run-writes';

/**
 * What a run spent, as its model door metered it (the CLI's own turns and any request its shell
 * made): the run's recorded cost and tokens, and the visitor's and workspace's daily spend. When
 * a budget is used up the door refuses the rest of the run and `onExhausted` ends it.
 */
export function meterSpend({ run, spend, onExhausted }: { run: Run; spend: Spend; onExhausted: (message: string) => void }): void {
  countSpend(spend);
  run.spent.usd += spend.usd;
  run.spent.inputTokens += spend.usage.inputTokens + spend.usage.cacheReadTokens + spend.usage.cacheWrite5mTokens + spend.usage.cacheWrite1hTokens;
  run.spent.outputTokens += spend.usage.outputTokens;
  if (spend.model === run.model) run.turns++; // the CLI's own small tasks are not the agent's turns
  saveRunProgress(run);
  const perRun = serverEnv().TETHER_MAX_BUDGET_USD;
  if (perRun !== undefined && run.spent.usd >= perRun) return exhaust(run, `This run reached its cost budget (${formatUsd(perRun)}) and was stopped.`, onExhausted);
  // The visitor's and the workspace's daily budgets, in the store every instance shares.
  void chargeSpend({ visitorId: run.visitorId, workspace: run.workspace, usd: spend.usd }).then((exhausted) => exhausted && exhaust(run, exhausted.message, onExhausted));
}

function exhaust(run: Run, message: string, onExhausted: (message: string) => void) {
  // Once per run: a run already ending for a budget (or a stronger reason) has nothing more to refuse.
  if (!run.state.requestEnd('budget', message)) return;
  run.process?.door.refuse(message);
  onExhausted(message);
}
