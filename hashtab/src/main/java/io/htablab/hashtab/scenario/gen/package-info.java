/** Seeded random {@code .hts} scenarios for differential testing ({@link io.htablab.hashtab.scenario.gen.ScenarioGenerator}). */
package io.htablab.hashtab.scenario.gen;
