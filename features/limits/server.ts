export { assertBudgetLeft, chargeSpend, conversationsFull, openViewer, releaseRun, resumeRun, takeConversation, takeHandoffOpened, takeLinkMade, takeNewVisitor, takeRun } from './server/rules';
export type { BudgetExhausted } from './server/budgets';
