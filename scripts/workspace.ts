/**
 * `npm run workspace -- create NAME [--allow-bash] [--allow-web]`: adds a workspace folder under
 * the data root; it is served at NAME.<base domain> at once (no restart needed).
 */
import { createWorkspace } from '@/features/workspaces/server';
import { workspaceNameSchema } from '@/features/workspaces';
import { AppError } from '@/lib/errors';

const [command, name, ...flags] = process.argv.slice(2);
const usage = 'usage: npm run workspace -- create NAME [--allow-bash] [--allow-web]';

if (command !== 'create' || !name) {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}
const valid = workspaceNameSchema.safeParse(name);
if (!valid.success) {
  process.stderr.write(`Invalid workspace name "${name}": ${valid.error.issues[0]?.message}\n`);
  process.exit(2);
}
try {
  const workspace = createWorkspace({
    name,
    config: { allowBash: flags.includes('--allow-bash'), allowWeb: flags.includes('--allow-web') },
  });
  process.stdout.write(`Created workspace "${workspace.name}" in ${workspace.filesDir}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof AppError ? error.message : String(error)}\n`);
  process.exit(1);
}
