import type { ChatItem, PlanStep } from '@/features/timeline';

const marks: Record<PlanStep['status'], string> = { pending: '○', in_progress: '◐', completed: '✓' };
const labels: Record<PlanStep['status'], string> = { pending: 'to do', in_progress: 'in progress', completed: 'done' };

/** In the conversation: the plan as the agent's calls left it at that point, folded to how far along it is. */
export function PlanCard({ item }: { item: Extract<ChatItem, { kind: 'plan' }> }) {
  // The agent deleted every task: nothing left to show.
  if (item.steps.length === 0) return null;
  return (
    <details className="plan" data-testid="plan">
      <summary>{planSummary(item.steps)}</summary>
      <PlanSteps steps={item.steps} />
    </details>
  );
}

/** Near the message box while a run goes: the newest plan, open. */
export function PinnedPlan({ steps }: { steps: PlanStep[] }) {
  if (steps.length === 0) return null;
  return (
    <section className="plan plan-pinned" aria-label="Plan" data-testid="pinned-plan">
      <p className="plan-title">{planSummary(steps)}</p>
      <PlanSteps steps={steps} />
    </section>
  );
}

function planSummary(steps: PlanStep[]): string {
  const done = steps.filter((step) => step.status === 'completed').length;
  const now = steps.find((step) => step.status === 'in_progress');
  return `Plan · ${done} of ${steps.length} done${now ? ` · ${now.activeForm ?? now.content}` : ''}`;
}

function PlanSteps({ steps }: { steps: PlanStep[] }) {
  return (
    <ol className="plan-steps">
      {steps.map((step, index) => (
        <li key={index} data-status={step.status}>
          <span aria-hidden>{marks[step.status]}</span> {step.content} <span className="visually-hidden">({labels[step.status]})</span>
        </li>
      ))}
    </ol>
  );
}
