import { unmountUnder } from '../../../lib/mounts';
import { E2E_DATA_DIR } from '../../../playwright.config';

/**
 * Playwright's global teardown: the servers' workspaces live on loop-mounted disk images under
 * the e2e data folder, and mounts outlive the servers. Detach them so no loop device is left
 * behind (the next run's `rm -rf` of the folder would otherwise leave the mounts in place).
 */
export default function unmountData(): void {
  unmountUnder(E2E_DATA_DIR);
}
