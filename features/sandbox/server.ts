export { agentHome, agentPaths, agentProjectKey, agentWorkspaceDir, effectiveConfig, sandboxedSpawner, sandboxState } from './server/agent-sandbox';
export { doorRules, ModelDoor, type Spend } from './server/model-door';
export { cheapestModel } from './server/model-prices';
export { modelEndpoint, usesDemoModel, type ModelEndpoint } from './server/model-endpoint';
export { assertOffered, defaultChoice, offeredModels, offeredModes } from './server/offer';
export { loopbackBridge, unconfinedSpawner } from './server/unconfined-spawner';
