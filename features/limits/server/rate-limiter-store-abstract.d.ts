// The library's base class for stores is in its type declarations but not in its main module's
// exports: it is loaded from its own file, with the declared type.
declare module 'rate-limiter-flexible/lib/RateLimiterStoreAbstract.js' {
  import type { RateLimiterStoreAbstract } from 'rate-limiter-flexible';
  const Abstract: typeof RateLimiterStoreAbstract;
  export default Abstract;
}
