/**
 * A Spring WebFlux service on Sluice: streaming NDJSON out and in, Spring-managed transactions.
 */
@NullMarked
package dev.sluice.examples.spring;

import org.jspecify.annotations.NullMarked;
