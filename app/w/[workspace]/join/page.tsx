import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { JoinWorkspace } from '@/features/access';
import { findWorkspace } from '@/features/workspaces/server';

export const dynamic = 'force-dynamic';

/** An invite link's page: the token stays in the fragment, so it sends no Referer and is kept out of search engines. */
export const metadata: Metadata = { title: 'Join', robots: { index: false, follow: false }, referrer: 'no-referrer' };

export default async function JoinPage({ params }: { params: Promise<{ workspace: string }> }) {
  const workspace = findWorkspace((await params).workspace);
  if (!workspace) notFound();
  return <JoinWorkspace workspace={workspace.name} />;
}
