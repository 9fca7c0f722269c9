'use client';

import { useQuery } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useRef, useState } from 'react';
import type { FileEntry } from '@/features/workspaces';
import { fetchFile, fetchFolder, fileQueryKey, filesQueryKey, type FilesOf } from '../api/files-api';
import { keepTabInsideSheet } from '@/lib/keep-tab-inside';
import { HighlightedCode, languageOfPath } from '@/lib/ui/highlighted-code';

/** The conversation whose files the tree shows (its own worktree, with worktree isolation). */
const FilesOfContext = createContext<FilesOf>(null);

/**
 * The workspace's files, read-only: a tree (folders load when opened) and a viewer. The agent's
 * edits show once its run ends (the chat refreshes these queries then). With worktree isolation
 * they are the open conversation's own.
 */
export function FilesPanel({ conversationId, onClose }: { conversationId: FilesOf; onClose: () => void }) {
  const [open, setOpen] = useState<string | null>(null);
  // Opened, it takes the focus (on a phone it covers the chat); Escape or Close give it back.
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <aside
      className="files-panel"
      aria-label="Files"
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
        keepTabInsideSheet(event);
      }}
    >
      <div className="files-head">
        <h2>Files</h2>
        <button type="button" className="link-button" ref={close} onClick={onClose}>
          Close
        </button>
      </div>
      <FilesOfContext.Provider value={conversationId}>
        <Folder folder="" depth={0} onOpen={setOpen} current={open} />
        {open && <FileView file={open} />}
      </FilesOfContext.Provider>
    </aside>
  );
}

function Folder({ folder, depth, onOpen, current }: { folder: string; depth: number; onOpen: (file: string) => void; current: string | null }) {
  const filesOf = useContext(FilesOfContext);
  const listing = useQuery({ queryKey: filesQueryKey(filesOf, folder), queryFn: () => fetchFolder(filesOf, folder) });
  if (listing.isPending)
    return (
      <p className="muted" role="status">
        Loading…
      </p>
    );
  if (listing.error)
    return (
      <p className="notice notice-error" role="alert">
        {listing.error.message}
      </p>
    );
  return (
    <ul className={depth === 0 ? 'file-tree file-tree-root' : 'file-tree'}>
      {listing.data.entries.map((entry) => (
        <Entry key={entry.path} entry={entry} depth={depth} onOpen={onOpen} current={current} />
      ))}
      {listing.data.more > 0 && <li className="muted">… and {listing.data.more} more</li>}
    </ul>
  );
}

function Entry({ entry, depth, onOpen, current }: { entry: FileEntry; depth: number; onOpen: (file: string) => void; current: string | null }) {
  const [expanded, setExpanded] = useState(false);
  if (entry.type === 'folder') {
    return (
      <li>
        <button type="button" className="file-entry" aria-expanded={expanded} onClick={() => setExpanded(!expanded)}>
          <span aria-hidden>{expanded ? '▾' : '▸'}</span> {entry.name}/
        </button>
        {expanded && <Folder folder={entry.path} depth={depth + 1} onOpen={onOpen} current={current} />}
      </li>
    );
  }
  if (entry.type !== 'file') {
    const why = entry.type === 'link_outside' ? 'a link out of the workspace' : 'not a regular file';
    return (
      <li className="muted" title={why}>
        {entry.name} <span className="visually-hidden">({why})</span>
      </li>
    );
  }
  return (
    <li>
      <button type="button" className="file-entry" aria-current={current === entry.path ? 'true' : undefined} onClick={() => onOpen(entry.path)}>
        {entry.name}
      </button>
    </li>
  );
}

function FileView({ file }: { file: string }) {
  const filesOf = useContext(FilesOfContext);
  const content = useQuery({ queryKey: fileQueryKey(filesOf, file), queryFn: () => fetchFile(filesOf, file) });
  return (
    <section className="file-view" aria-label={`File ${file}`}>
      <h3>{file}</h3>
      {content.isPending && (
        <p className="muted" role="status">
          Loading…
        </p>
      )}
      {content.error && (
        <p className="notice notice-error" role="alert">
          {content.error.message}
        </p>
      )}
      {content.data && !content.data.shown && (
        <p className="muted">
          {content.data.reason === 'binary' ? 'A binary file' : 'Too large to show'} ({content.data.size.toLocaleString('en')} bytes).
        </p>
      )}
      {content.data?.shown && (
        <pre className="file-text" data-testid="file-text">
          <HighlightedCode code={content.data.text ?? ''} language={languageOfPath(file)} />
        </pre>
      )}
    </section>
  );
}
