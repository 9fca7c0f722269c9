import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { PrivateWorkspace } from '@/features/access';
import { isPrivate } from '@/features/access/server';
import { findWorkspace } from '@/features/workspaces/server';

export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Private workspace', robots: { index: false, follow: false } };

/** What proxy.ts shows a stranger to a private workspace, whatever the address (README, "Private workspaces"). */
export default async function PrivatePage({ params }: { params: Promise<{ workspace: string }> }) {
  const workspace = findWorkspace((await params).workspace);
  if (!workspace || !isPrivate(workspace)) notFound();
  return <PrivateWorkspace />;
}
