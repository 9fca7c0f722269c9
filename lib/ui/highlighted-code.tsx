'use client';

import { useEffect, useState } from 'react';

/** What a file name says about its language, in the highlighter's names (and aliases it knows). */
const languageOfExtension: Record<string, string> = {
  ts: 'typescript',
  tsx: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  json: 'json',
  md: 'markdown',
  py: 'python',
  rs: 'rust',
  go: 'go',
  sh: 'bash',
  bash: 'bash',
  css: 'css',
  html: 'xml',
  xml: 'xml',
  svg: 'xml',
  yml: 'yaml',
  yaml: 'yaml',
  sql: 'sql',
  diff: 'diff',
  patch: 'diff',
};

export function languageOfPath(path: string): string | null {
  return languageOfExtension[path.split('.').pop()?.toLowerCase() ?? ''] ?? null;
}

/**
 * Code shown plain at once, then highlighted when the highlighter (a chunk of its own, loaded on
 * the first code block a page shows) is in. An unknown language stays plain.
 */
export function HighlightedCode({ code, language }: { code: string; language: string | null }) {
  const [highlighted, setHighlighted] = useState<{ code: string; html: string } | null>(null);
  useEffect(() => {
    if (!language) return;
    let current = true;
    void import('./highlight').then(({ highlight }) => {
      const html = highlight(code, language);
      if (current && html !== null) setHighlighted({ code, html });
    });
    return () => {
      current = false;
    };
  }, [code, language]);
  if (highlighted?.code !== code) return <code>{code}</code>;
  // highlight.js escapes the code: its HTML holds only its own spans.
  return <code className={`hljs language-${language}`} data-highlighted="true" dangerouslySetInnerHTML={{ __html: highlighted.html }} />;
}
