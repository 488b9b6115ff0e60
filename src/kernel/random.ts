import seedrandom from 'seedrandom';

/**
 * A named, seeded random stream. Each stream is derived from the scenario seed and its own name
 * only, so adding an agent (a new stream) never changes the draws of another stream.
 */
export interface RandomStream {
  readonly name: string;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Integer uniform in [min, max] inclusive. */
  int(min: number, max: number): number;
  /** Standard normal scaled to mean and standard deviation (Box–Muller, deterministic). */
  normal(mean?: number, sd?: number): number;
  /** Log-normal with the given mean and sd of the underlying normal. */
  logNormal(mu: number, sigma: number): number;
  /** Exponential with the given rate (events per unit). */
  exponential(rate: number): number;
  /** True with probability p. */
  bernoulli(p: number): boolean;
  /** One element, uniformly. Throws on an empty list (a programming error). */
  pick<T>(items: readonly T[]): T;
  /** Picks an index with probability proportional to the weights. */
  weightedIndex(weights: readonly number[]): number;
  /** A child stream named `${name}/${child}`, independent of this stream's own draws. */
  child(child: string): RandomStream;
}

/** The registry of streams for one run: `streams.get('pv/prosumer-7')`. */
export interface RandomStreams {
  readonly seed: number;
  get(name: string): RandomStream;
}

class SeededStream implements RandomStream {
  private readonly rng: seedrandom.PRNG;
  private spare: number | undefined;

  constructor(private readonly seed: number, readonly name: string) {
    this.rng = seedrandom.alea(`${seed}\u0000${name}`);
  }

  next(): number {
    return this.rng();
  }

  uniform(min: number, max: number): number {
    return min + (max - min) * this.rng();
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.rng() * (max - min + 1));
  }

  normal(mean = 0, sd = 1): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return mean + sd * s;
    }
    let u = 0;
    while (u === 0) u = this.rng();
    const v = this.rng();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  logNormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  exponential(rate: number): number {
    let u = 0;
    while (u === 0) u = this.rng();
    return -Math.log(u) / rate;
  }

  bernoulli(p: number): boolean {
    return this.rng() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError(`pick from an empty list on stream ${this.name}`);
    return items[Math.floor(this.rng() * items.length)] as T;
  }

  weightedIndex(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += Math.max(0, w);
    let x = this.rng() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= Math.max(0, weights[i] ?? 0);
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  child(child: string): RandomStream {
    return new SeededStream(this.seed, `${this.name}/${child}`);
  }
}

/** Creates the stream registry of a run. Streams are cached by name; same name ⇒ same stream. */
export function createRandomStreams(seed: number): RandomStreams {
  const cache = new Map<string, RandomStream>();
  return {
    seed,
    get(name: string): RandomStream {
      let s = cache.get(name);
      if (s === undefined) {
        s = new SeededStream(seed, name);
        cache.set(name, s);
      }
      return s;
    },
  };
}

/** A single stream without a registry, for libraries and tests: `randomStream(seed, 'feeder')`. */
export function randomStream(seed: number, name: string): RandomStream {
  return new SeededStream(seed, name);
}
