export { acquireProcess, assertCanQueue, closeAllProcesses, hasProcess, killProcessesOf, releaseProcess, replaceProcess } from './server/agent-pool';
export { AgentProcess, type AgentPrompt, type AgentPromptBlock } from './server/agent-process';
export { agentOptions, claudeExecutable, processKey, type AskVisitor } from './server/agent-options';
export { claimSpare, noteActivity, type SpareMaker } from './server/agent-spares';
export { describeFailure, isMissingSession, rateLimitNotice, retryMessage, timeLimitFailure, type TurnOutcome } from './server/failures';
export { moveLegacyTranscripts } from './server/legacy-transcripts';
export { copyDiskTranscriptToDatabase, SHARED_PROJECT_KEY, transcriptSource } from './server/transcript';
export { forkTranscript } from './server/transcript-fork';
export { backfillLocalTranscripts } from './server/transcript-mirror';
