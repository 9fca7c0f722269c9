/**
 * The test push service in its own process, so the fan-out benchmark's CPU figures are the
 * sender's alone. Tells the parent its origin, certificate and subscriptions over IPC.
 */
import { startPushService } from '../../tests/fixtures/push-service';

const count = Number(process.argv[2] ?? 2000);
const service = await startPushService({ decrypt: false });
const subscriptions = Array.from({ length: count }, () => service.subscribe());
process.send!({ origin: service.origin, ca: service.ca, subscriptions });
process.on('message', async (message) => {
  if (message === 'count') process.send!({ received: service.requests.length, bad: service.requests.filter((r) => r.status !== 201).length });
  if (message === 'stop') {
    await service.close();
    process.exit(0);
  }
});
