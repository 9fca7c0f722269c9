import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeToolCall } from './describe-tool-call';

const workspaceDir = mkdtempSync(path.join(tmpdir(), 'tether-describe-'));
writeFileSync(path.join(workspaceDir, 'greet.ts'), 'const a = 1;\nexport const greeting = "Hello";\nconst b = 2;\n');
const describeCall = (tool: string, input: Record<string, unknown>) => describeToolCall({ tool, input, workspaceDir, agentWorkspaceDir: '/workspace' });

describe('describeToolCall', () => {
  it('an Edit: "edit <path>" and the unified diff it would apply to the file', () => {
    const { summary, detail } = describeCall('Edit', { file_path: '/workspace/greet.ts', old_string: '"Hello"', new_string: '"Howdy"' });
    expect(summary).toBe('edit greet.ts');
    expect(detail).toContain('--- a/greet.ts\n+++ b/greet.ts');
    expect(detail).toContain(' const a = 1;\n-export const greeting = "Hello";\n+export const greeting = "Howdy";\n const b = 2;');
  });

  it('a Write: "create" for a new file (diff from /dev/null), "overwrite" for an existing one', () => {
    const created = describeCall('Write', { file_path: '/workspace/new.md', content: '# New\n' });
    expect(created.summary).toBe('create new.md');
    expect(created.detail).toContain('--- /dev/null');
    expect(created.detail).toContain('+# New');
    expect(describeCall('Write', { file_path: 'greet.ts', content: 'x\n' }).summary).toBe('overwrite greet.ts');
  });

  it('an Edit whose text is not in the file shows the edit itself', () => {
    const { detail } = describeCall('Edit', { file_path: '/workspace/greet.ts', old_string: 'absent', new_string: 'present' });
    expect(detail).toContain('-absent\n+present');
  });

  it('a command, a fetch and a search in words; long ones shortened in the summary only', () => {
    expect(describeCall('Bash', { command: 'npm test', description: 'Run the tests' })).toEqual({ summary: 'run npm test', detail: '# Run the tests\nnpm test' });
    const long = `echo ${'x'.repeat(200)}`;
    const bash = describeCall('Bash', { command: long });
    expect(bash.summary.length).toBeLessThanOrEqual(84);
    expect(bash.detail).toBe(long);
    expect(describeCall('WebFetch', { url: 'https://example.com/a', prompt: 'Summarize' })).toEqual({ summary: 'fetch https://example.com/a', detail: 'https://example.com/a\n\nSummarize' });
    expect(describeCall('WebSearch', { query: 'tether' }).summary).toBe('search the web for “tether”');
  });
});
