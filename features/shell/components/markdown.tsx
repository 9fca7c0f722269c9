'use client';

/**
 * An answer's Markdown (GFM: tables, task lists, strikethrough, autolinks), with a Copy button
 * and highlighting on each code block. Loaded lazily (message-list.tsx): the parser and its
 * extensions are most of an answer's weight, and a page shows plain text until they are in.
 */
import ReactMarkdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { CopyButton } from '@/lib/ui/copy-button';
import { HighlightedCode } from '@/lib/ui/highlighted-code';

const remarkPlugins = [remarkGfm];

type HastNode = { type: string; value?: string; tagName?: string; properties?: { className?: unknown }; children?: HastNode[] };

const components: Components = {
  // Task-list boxes are read-only; they say what they show.
  input: ({ node: _node, ...props }) => (props.type === 'checkbox' ? <input {...props} aria-label={props.checked ? 'Done' : 'Not done'} /> : <input {...props} />),
  pre: ({ node }) => {
    const code = node?.children[0] as HastNode | undefined;
    const text = code ? textOf(code).replace(/\n$/, '') + '\n' : '';
    const className = code?.properties?.className;
    const language = Array.isArray(className)
      ? (className
          .map(String)
          .find((name) => name.startsWith('language-'))
          ?.slice('language-'.length) ?? null)
      : null;
    return (
      <div className="code-block">
        <pre tabIndex={0}>
          <HighlightedCode code={text} language={language} />
        </pre>
        <CopyButton text={text} label="Copy code" />
      </div>
    );
  },
};

function textOf(node: HastNode): string {
  if (node.type === 'text') return node.value ?? '';
  return (node.children ?? []).map(textOf).join('');
}

export default function Markdown({ text }: { text: string }) {
  return (
    <ReactMarkdown remarkPlugins={remarkPlugins} components={components}>
      {text}
    </ReactMarkdown>
  );
}
