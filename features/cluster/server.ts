export { assertNotDraining, isDraining, startDraining } from './server/drain';
export { startHeartbeat, stopHeartbeat } from './server/heartbeat';
export { instanceId } from './server/instance-id';
