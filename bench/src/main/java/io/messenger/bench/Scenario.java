package io.messenger.bench;

import java.time.Duration;
import java.util.Map;

/**
 * What every scenario class reads from the run: the services' API, the raw stores, the mode and the
 * case timings, the summary it may add figures to, and the {@link Bench} whose helpers (users,
 * tokens, {@link Bench#add}) it calls.
 */
abstract class Scenario {

  final Bench bench;
  final Api api;
  final RawStores raw;
  final boolean smoke;

  /** This run's prefix of user ids. */
  final String run;

  final Duration warmup;
  final Duration measure;
  final Map<String, Object> summary;

  Scenario(Bench bench) {
    this.bench = bench;
    this.api = bench.api;
    this.raw = bench.raw;
    this.smoke = bench.smoke;
    this.run = bench.run;
    this.warmup = bench.warmup;
    this.measure = bench.measure;
    this.summary = bench.summary;
  }

  /** Runs the scenario's cases, adding each result to the bench. */
  abstract void run() throws Exception;
}
