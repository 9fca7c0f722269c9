// The types of eslint.config.mjs, for the test that checks its fences.
export declare const featureOrder: string[];
declare const config: unknown;
export default config;
