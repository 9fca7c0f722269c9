import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Providers, SharedConversation } from '@/features/shell';
import { findWorkspace } from '@/features/workspaces/server';

export const dynamic = 'force-dynamic';

/** A conversation shared read-only: kept out of search engines, and it sends no Referer anywhere. */
export const metadata: Metadata = { robots: { index: false, follow: false }, referrer: 'no-referrer' };

export default async function SharedPage({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: name } = await params;
  const workspace = findWorkspace(name);
  if (!workspace) notFound();
  return (
    <Providers>
      <SharedConversation workspace={workspace.name} />
    </Providers>
  );
}
