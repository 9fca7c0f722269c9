import { readdirSync, readFileSync } from 'node:fs';

/**
 * The app server's processes, read from /proc (Linux only): `next start` and its descendants,
 * told apart from the agent CLI children (the SDK's native `claude` binary) that runs start.
 */

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // the process ended meanwhile
  }
}

function children(): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (!stat) continue;
    // Fields after the command (which may hold spaces and parentheses): state, ppid, …
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    byParent.set(ppid, [...(byParent.get(ppid) ?? []), Number(name)]);
  }
  return byParent;
}

function isAgentCli(pid: number): boolean {
  return (read(`/proc/${pid}/cmdline`) ?? '').includes('claude-agent-sdk');
}

/** `pid` and its descendants, split into the server's own processes and the agent CLI children (`agents`: the CLIs the server started). */
export function serverProcesses(pid: number): { server: number[]; agents: number[] } {
  const byParent = children();
  const server: number[] = [];
  const agents: number[] = [];
  const walk = (current: number) => {
    if (isAgentCli(current)) return void agents.push(current); // its own descendants are the agent's too
    server.push(current);
    for (const child of byParent.get(current) ?? []) walk(child);
  };
  walk(pid);
  return { server, agents };
}

/** VmRSS in bytes (0 once the process is gone). */
export function rssBytes(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(read(`/proc/${pid}/status`) ?? '')?.[1];
  return kib ? Number(kib) * 1024 : 0;
}

/** Resident memory of the server's own processes (`next start` and descendants), without agent CLIs. */
export function serverRss(pid: number): number {
  return serverProcesses(pid).server.reduce((sum, each) => sum + rssBytes(each), 0);
}

/** The agent CLI processes the server has running right now. */
export function agentPids(pid: number): Set<number> {
  return new Set(serverProcesses(pid).agents);
}

/** A process's soft limit on open files, from /proc/<pid>/limits. */
export function openFilesLimit(pid: number | 'self' = 'self'): string {
  const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(read(`/proc/${pid}/limits`) ?? '');
  return line ? line[1]! : 'unknown';
}

/** CPU time (user + system, ms) used so far by the server's own processes (without agent CLIs); 100 ticks/s (`getconf CLK_TCK`). */
export function serverCpuMs(pid: number): number {
  return serverProcesses(pid).server.reduce((sum, each) => {
    const stat = read(`/proc/${each}/stat`);
    if (!stat) return sum;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state(0) ppid(1) … utime(11) stime(12).
    return sum + (Number(fields[11]) + Number(fields[12])) * 10;
  }, 0);
}

/** Resident memory of each agent the server has running (by its root pid): the CLI with everything around it (sandbox, bridge helpers). */
export function agentTreeRss(pid: number): Map<number, number> {
  const byParent = children();
  const treeRss = (current: number): number => rssBytes(current) + (byParent.get(current) ?? []).reduce((sum, child) => sum + treeRss(child), 0);
  return new Map(serverProcesses(pid).agents.map((agent) => [agent, treeRss(agent)]));
}
