export {
  assertBudgetLeft,
  chargeSpend,
  conversationsFull,
  openViewer,
  releaseRun,
  resumeRun,
  takeAttachmentBytes,
  takeConversation,
  takeHandoffOpened,
  takeLinkMade,
  takeNewVisitor,
  takeRun,
} from './server/rules';
export type { BudgetExhausted } from './server/budgets';
