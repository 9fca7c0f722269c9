/** What an empty conversation shows: a first visit's welcome, or that it expired. */

const EXAMPLE_PROMPTS = ['List the files', 'Read README.md', 'Run `ls -la`'];

/** A new conversation: what this place is, and three things to try (they fill the message box). */
export function FirstVisit({ workspace, onPick }: { workspace: string; onPick: (text: string) => void }) {
  return (
    <div className="empty first-visit">
      <p>
        This is the <strong>{workspace}</strong> workspace: a Claude agent works on its files with you. No account needed; your conversations stay in this browser and a run goes on if you close the
        tab.
      </p>
      <p>Try:</p>
      <ul className="examples">
        {EXAMPLE_PROMPTS.map((prompt) => (
          <li key={prompt}>
            <button type="button" onClick={() => onPick(prompt)}>
              {prompt}
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
