import { notFound } from 'next/navigation';
import { isPrivate } from '@/features/access/server';
import { ChatApp, Providers } from '@/features/shell';
import { offeredModels, offeredModes, sandboxState, usesDemoModel } from '@/features/sandbox/server';
import { findWorkspace } from '@/features/workspaces/server';
import { attachmentLimits } from '@/features/attachments/server';

export const dynamic = 'force-dynamic';

export default async function WorkspacePage({ params }: { params: Promise<{ workspace: string }> }) {
  const { workspace: name } = await params;
  const workspace = findWorkspace(name);
  if (!workspace) notFound();
  return (
    <Providers>
      <ChatApp
        workspace={workspace.name}
        models={offeredModels(workspace)}
        modes={offeredModes(workspace)}
        demoModel={usesDemoModel()}
        sandboxed={sandboxState().sandboxed}
        attachmentLimits={attachmentLimits()}
        worktrees={workspace.config.isolation === 'worktree'}
        // Only members get this far in a private workspace (proxy.ts); whether they may invite is workspace.json's say.
        canInvite={isPrivate(workspace) && workspace.config.membersMayInvite === true}
      />
    </Providers>
  );
}
