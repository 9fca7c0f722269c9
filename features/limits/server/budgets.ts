import 'server-only';
import { humanDuration } from './human-duration';
import { slidingWindow, type SlidingWindow, type Verdict } from './sliding-window';
import type { LimitStore } from './store';

export type BudgetExhausted = { code: 'rate_limited:budget_visitor' | 'rate_limited:budget_workspace'; message: string; retryAfterSeconds: number };

const DAY_SECONDS = 24 * 60 * 60;
/** Money is counted in integer micro-dollars: the stores count integer points. */
const MICROS_PER_USD = 1_000_000;

/**
 * Daily spending caps on model use, per visitor and per workspace, over a sliding 24 h window.
 * A cap of 0 is off. Spend is recorded even past the cap (it was already spent); the next
 * check then refuses until enough of the day's spend has slid out of the window.
 */
export function dailyBudgets(store: LimitStore, { visitorUsd, workspaceUsd }: { visitorUsd: number; workspaceUsd: number }) {
  const budget = (name: string, usd: number) => (usd > 0 ? { usd, window: slidingWindow(store, { name, limit: Math.round(usd * MICROS_PER_USD), windowSeconds: DAY_SECONDS }) } : null);
  const visitor = budget('budget-visitor', visitorUsd);
  const workspace = budget('budget-workspace', workspaceUsd);

  type Budget = { usd: number; window: SlidingWindow };
  const exhausted = (which: 'visitor' | 'workspace', { usd }: Budget, verdict: Verdict): BudgetExhausted | null => {
    if (verdict.ok) return null;
    const frees = `It frees up in ${humanDuration(verdict.retryAfterSeconds)}.`;
    return which === 'visitor'
      ? { code: 'rate_limited:budget_visitor', message: `You have used today's budget ($${usd.toFixed(2)}). ${frees}`, retryAfterSeconds: verdict.retryAfterSeconds }
      : { code: 'rate_limited:budget_workspace', message: `This workspace has used today's budget ($${usd.toFixed(2)}). ${frees}`, retryAfterSeconds: verdict.retryAfterSeconds };
  };
  // Both used up: the one that frees up later is the one to wait for.
  const later = (a: BudgetExhausted | null, b: BudgetExhausted | null) => (!a ? b : !b ? a : b.retryAfterSeconds > a.retryAfterSeconds ? b : a);

  return {
    /** Which budget (if any) has nothing left. */
    async exhausted({ visitorId, workspace: name }: { visitorId: string; workspace: string }): Promise<BudgetExhausted | null> {
      const [mine, theirs] = await Promise.all([visitor?.window.check(visitorId), workspace?.window.check(name)]);
      return later(visitor && mine ? exhausted('visitor', visitor, mine) : null, workspace && theirs ? exhausted('workspace', workspace, theirs) : null);
    },
    /** Adds spend to both budgets; says which one (if any) is now used up. */
    async charge({ visitorId, workspace: name, usd }: { visitorId: string; workspace: string; usd: number }): Promise<BudgetExhausted | null> {
      const micros = Math.max(0, Math.round(usd * MICROS_PER_USD));
      const [mine, theirs] = await Promise.all([visitor?.window.charge(visitorId, micros), workspace?.window.charge(name, micros)]);
      return later(visitor && mine ? exhausted('visitor', visitor, mine) : null, workspace && theirs ? exhausted('workspace', workspace, theirs) : null);
    },
  };
}

export type DailyBudgets = ReturnType<typeof dailyBudgets>;
