/**
 * Runs once per server process at start (not at build). Opens the database (so its first
 * visitor does not wait for it), makes sure the demo workspace exists, marks runs a previous
 * process left unfinished as interrupted, and closes streams promptly on shutdown.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startServer } = await import('./server-start');
  await startServer();
}
