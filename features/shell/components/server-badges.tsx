/** How this server runs the agent, when it isn't the real, sandboxed thing: said in the header. */
export function ServerBadges({ demoModel, sandboxed }: { demoModel: boolean; sandboxed: boolean }) {
  return (
    <>
      {demoModel && (
        <span className="badge" title="No ANTHROPIC_API_KEY is configured: replies come from a built-in demo model.">
          Demo model
        </span>
      )}
      {!sandboxed && (
        <span className="badge badge-unsandboxed" title="This server has no agent sandbox (bubblewrap): the agent runs unconfined on it, so shell and web tools are off.">
          Unsandboxed
        </span>
      )}
    </>
  );
}
