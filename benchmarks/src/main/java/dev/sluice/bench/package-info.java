/**
 * Sluice's benchmarks: scans, back-pressure, cancel, relationship-loading baselines, writes and concurrency against
 * a local PostgreSQL, Sluice side by side with raw r2dbc-postgresql, Spring Data R2DBC, JDBC and COPY. Not an API.
 */
@NullMarked
package dev.sluice.bench;

import org.jspecify.annotations.NullMarked;
