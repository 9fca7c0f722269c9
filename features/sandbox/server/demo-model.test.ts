/** The demo model reads the visitor's words past the note Tether puts before a message after an Undo. */
import { describe, expect, it } from 'vitest';
import type { MessagesRequest } from '@/lib/messages-api/server';
import { undoNote } from '../../changes/server/undo-note';
import { demoResponder } from './demo-model';

const TOOLS = ['Read', 'Edit', 'Write', 'Glob'].map((name) => ({ name }));
const request = (...texts: string[]): MessagesRequest => ({
  model: 'claude-sonnet-4-5',
  tools: TOOLS,
  messages: [{ role: 'user', content: texts.map((text) => ({ type: 'text', text })) }],
});

describe('the demo model after an Undo', () => {
  it('edits again what it was asked to, the note before the message notwithstanding', async () => {
    const reply = await demoResponder(request(undoNote(['src/greet.ts']), 'edit src/greet.ts'));
    expect(reply).toMatchObject({ blocks: [{ type: 'text' }, { type: 'tool_use', name: 'Read', input: { file_path: 'src/greet.ts' } }] });
  });

  it('says back the words alone', async () => {
    const reply = await demoResponder(request(undoNote(['notes.md']), 'hello there'));
    const text = 'blocks' in reply && reply.blocks[0]?.type === 'text' ? reply.blocks[0].text : '';
    expect(text).toContain('> hello there\n');
    expect(text).not.toContain('undid');
  });
});
