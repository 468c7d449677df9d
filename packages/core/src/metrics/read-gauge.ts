import { Gauge, type GaugeConfiguration } from 'prom-client';

/** One sample of a gauge: its value and labels. */
export interface Sample<T extends string> {
  value: number;
  labels?: Partial<Record<T, string | number>>;
}

/**
 * A gauge whose samples are exactly what `read` returns at scrape time, none when it returns none.
 * prom-client's own gauge always exports an unlabeled gauge (as 0 until set), which would make a copy
 * that has nothing to say (not the reporter, a budget never read) look like it reads 0.
 */
export class ReadGauge<T extends string = string> extends Gauge<T> {
  readonly #read: () => Promise<Sample<T>[]>;

  constructor(config: Omit<GaugeConfiguration<T>, 'collect'>, read: () => Promise<Sample<T>[]>) {
    super(config);
    this.#read = read;
  }

  override async get(): ReturnType<Gauge<T>['get']> {
    const metric = await super.get();
    const samples = await this.#read();
    return {
      ...metric,
      values: samples.map((s) => ({ value: s.value, labels: s.labels ?? {} })),
    } as Awaited<ReturnType<Gauge<T>['get']>>;
  }
}

/** `promise`'s value, or undefined when it fails or takes longer than `ms` (a scrape must not hang on it). */
export async function within<T>(ms: number, promise: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}
