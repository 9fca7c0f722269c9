/** Denial messages of the tool guard start with this, so a denied tool can be told apart from a failed one, live and in history. */
export const DENIAL_PREFIX = 'Blocked by Tether:';

/**
 * The CLI's task-list tools: the agent's plan (TaskCreate adds a step, TaskUpdate moves or drops
 * one, TaskList and TaskGet read them back). They touch only the CLI's own task folder.
 */
export const TASK_TOOLS = ['TaskCreate', 'TaskUpdate', 'TaskList', 'TaskGet'] as const;
export { BUILT_IN_COMMANDS, commandIn, WORKSPACE_COMMAND_MARK, workspaceCommandHeading, type AgentCommand } from './commands';
