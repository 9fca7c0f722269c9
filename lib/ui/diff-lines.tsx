/** A unified diff with its added and removed lines marked (the `Index:` header left out). */
export default function DiffLines({ patch, label }: { patch: string; label: string }) {
  const lines = patch
    .replace(/\n$/, '')
    .split('\n')
    .filter((line) => !/^(Index: |=+$)/.test(line));
  return (
    <pre className="approval-detail diff" aria-label={label}>
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
