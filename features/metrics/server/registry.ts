import 'server-only';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration, type Metric } from 'prom-client';
import { instanceId } from '@/features/cluster/server';

// Route handlers and the server's start get separate module copies (of prom-client too): one
// registry per process, on globalThis, and each metric made once, whichever copy asks first.
type Store = { registry: Registry; opened: boolean };
const shared = globalThis as { tetherMetrics?: Store };
const store = (shared.tetherMetrics ??= { registry: new Registry(), opened: false });

type Config<C> = Omit<C, 'registers'>;

/**
 * The process's registry, ready to be scraped: the instance label and Node's own metrics are
 * added on the first scrape, not at import, so a module that merely defines a metric (a unit test
 * of it, too) neither creates the instance id in the data folder nor starts Node's probes.
 */
export function scrapedRegistry(): Registry {
  if (!store.opened) {
    store.opened = true;
    // Each instance reports only its own runs, agents and viewers: the label tells them apart.
    store.registry.setDefaultLabels({ instance: instanceId() });
    collectDefaultMetrics({ register: store.registry });
  }
  return store.registry;
}

function made<M extends Metric>(name: string, make: () => M): M {
  return (store.registry.getSingleMetric(name) as M | undefined) ?? make();
}

/** A counter, made once per process (a second call by the same name returns the first). */
export function counter<L extends string>(config: Config<CounterConfiguration<L>>): Counter<L> {
  return made(config.name, () => new Counter({ ...config, registers: [store.registry] }));
}

/** A gauge, made once per process; give it `collect` to read its value from live state at each scrape. */
export function gauge<L extends string>(config: Config<GaugeConfiguration<L>>): Gauge<L> {
  return made(config.name, () => new Gauge({ ...config, registers: [store.registry] }));
}

/** A histogram, made once per process. */
export function histogram<L extends string>(config: Config<HistogramConfiguration<L>>): Histogram<L> {
  return made(config.name, () => new Histogram({ ...config, registers: [store.registry] }));
}
