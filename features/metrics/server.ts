export { counter, gauge, histogram } from './server/registry';
export { countRequest, routePattern } from './server/http-requests';
export { metricsEnabled, scrapeMetrics } from './server/scrape';
