/** What an empty conversation shows: a first visit's welcome, or that it expired. */

/** Things to try; one comes with a picture (a screenshot of this app), as a pasted screenshot would. */
const EXAMPLES: Array<{ prompt: string; sample?: string }> = [
  { prompt: 'List the files' },
  { prompt: 'Read README.md' },
  { prompt: 'Run `ls -la`' },
  { prompt: 'Describe this screenshot', sample: '/examples/screenshot.png' },
];

/** A new conversation: what this place is, and things to try (they fill the message box, and attach a sample). */
export function FirstVisit({ workspace, onPick }: { workspace: string; onPick: (text: string, files?: File[]) => void }) {
  async function pick({ prompt, sample }: (typeof EXAMPLES)[number]) {
    if (!sample) return onPick(prompt);
    const response = await fetch(sample).catch(() => null);
    // Offline or gone: the words alone, and the visitor attaches a picture of their own.
    if (!response?.ok) return onPick(prompt);
    const blob = await response.blob();
    onPick(prompt, [new File([blob], sample.split('/').at(-1)!, { type: blob.type })]);
  }
  return (
    <div className="empty first-visit">
      <p>
        This is the <strong>{workspace}</strong> workspace: a Claude agent works on its files with you. No account needed; your conversations stay in this browser and a run goes on if you close the
        tab.
      </p>
      <p>Try:</p>
      <ul className="examples">
        {EXAMPLES.map((example) => (
          <li key={example.prompt}>
            <button type="button" onClick={() => void pick(example)}>
              {example.prompt}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Expired() {
  return (
    <p className="notice notice-info empty-expired" role="status">
      This conversation has expired: the server keeps a conversation for a day after its last message. Its messages are gone; start a new chat to carry on.
    </p>
  );
}
