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
  takeInviteOpened,
  takeLinkMade,
  takeNewVisitor,
  takeRun,
} from './server/rules';
export type { BudgetExhausted } from './server/budgets';
