/** A unified diff with its added and removed lines marked (the `Index:` header left out). */
export default function DiffLines({ patch, label }: { patch: string; label: string }) {
  const lines = patch
    .replace(/\n$/, '')
    .split('\n')
    .filter((line) => !/^(Index: |=+$)/.test(line));
  return (
    // Focusable: a long line scrolls it sideways, and the keyboard must reach that too.
    <pre className="approval-detail diff" aria-label={label} tabIndex={0}>
      {lines.map((line, index) => {
        const kind = line.startsWith('+++') || line.startsWith('---') ? 'file' : line.startsWith('+') ? 'added' : line.startsWith('-') ? 'removed' : line.startsWith('@@') ? 'hunk' : 'context';
        return (
          <span key={index} className={`diff-${kind}`}>
            {line}
            {'\n'}
          </span>
        );
      })}
    </pre>
  );
}
