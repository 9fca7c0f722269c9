export { Approvals, denialMessage, USER_DENIAL_PREFIX, type ApprovalEvent, type ToolCallDescription, type Verdict } from './server/approvals';
export { describeToolCall } from './server/describe-tool-call';
