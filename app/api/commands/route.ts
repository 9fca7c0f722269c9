import { offeredCommands } from '@/features/runs/server';
import { route } from '../_lib/route';

export const dynamic = 'force-dynamic';

/** The commands the message box offers in this workspace: `{ commands: [{ name, description, argumentHint, source }] }`. */
export const GET = route(async ({ workspace }) => Response.json({ commands: offeredCommands(workspace) }));
