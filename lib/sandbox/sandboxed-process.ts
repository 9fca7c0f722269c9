import { spawn, type ChildProcess } from 'node:child_process';
import { processPath } from '../env';
import { bubblewrapArgs, type SandboxSpec } from './bubblewrap';
import { createCgroup, type CgroupLimits } from './cgroup';

/**
 * Starts `spec` in a bubblewrap sandbox, inside a fresh cgroup with memory and process limits
 * when the machine allows one (`limited` says whether it did). The cgroup is entered by a shell
 * that then execs bwrap, so not even bwrap's first child starts outside it.
 */
export function spawnSandboxed({ bwrapPath, spec, cgroup, signal }: { bwrapPath: string; spec: SandboxSpec; cgroup: CgroupLimits & { name: string }; signal?: AbortSignal }): {
  child: ChildProcess;
  limited: boolean;
} {
  const args = bubblewrapArgs(spec);
  const group = createCgroup(cgroup.name, cgroup);
  const stdio: ['pipe', 'pipe', 'pipe'] = ['pipe', 'pipe', 'pipe'];
  const child: ChildProcess = group
    ? spawn('/bin/sh', ['-c', 'for procs in $TETHER_CGROUP_PROCS; do echo $$ > "$procs" || exit 71; done; exec "$@"', 'sandbox', bwrapPath, ...args], {
        stdio,
        signal,
        env: launcherEnv({ TETHER_CGROUP_PROCS: group.procsFiles.join(' ') }),
      })
    : spawn(bwrapPath, args, { stdio, signal, env: launcherEnv({}) });
  if (group) child.once('exit', group.remove);
  return { child, limited: group !== null };
}

// bwrap clears the environment inside (--clearenv); the launcher itself needs PATH only.
function launcherEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: processPath(), ...extra } as Partial<NodeJS.ProcessEnv> as NodeJS.ProcessEnv;
}
