'use client';

import type { FileContent, FileListing } from '@/features/workspaces';
import { requestJson } from '@/lib/api-client';

export const filesQueryKey = (folder: string) => ['files', 'folder', folder] as const;
export const fileQueryKey = (file: string) => ['files', 'file', file] as const;

export function fetchFolder(folder: string): Promise<FileListing> {
  return requestJson<FileListing>(`/api/files?path=${encodeURIComponent(folder)}`);
}

export function fetchFile(file: string): Promise<FileContent> {
  return requestJson<FileContent>(`/api/files/content?path=${encodeURIComponent(file)}`);
}
