'use client';

import type { FileContent, FileListing } from '@/features/workspaces';
import { requestJson } from '@/lib/api-client';

/** Whose files: the conversation's (its own worktree, in a workspace with worktree isolation), or the workspace's when none is open. */
export type FilesOf = string | null;

export const filesQueryKey = (conversationId: FilesOf, folder: string) => ['files', conversationId, 'folder', folder] as const;
export const fileQueryKey = (conversationId: FilesOf, file: string) => ['files', conversationId, 'file', file] as const;

const query = (conversationId: FilesOf, relative: string) => `?path=${encodeURIComponent(relative)}${conversationId ? `&conversation=${conversationId}` : ''}`;

export function fetchFolder(conversationId: FilesOf, folder: string): Promise<FileListing> {
  return requestJson<FileListing>(`/api/files${query(conversationId, folder)}`);
}

export function fetchFile(conversationId: FilesOf, file: string): Promise<FileContent> {
  return requestJson<FileContent>(`/api/files/content${query(conversationId, file)}`);
}
