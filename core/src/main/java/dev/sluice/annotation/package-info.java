/**
 * Annotations that map Java records to tables: {@link dev.sluice.annotation.Table}, {@link dev.sluice.annotation.Id},
 * {@link dev.sluice.annotation.Column} and {@link dev.sluice.annotation.UniqueKey}; relations, deferred columns and
 * JSON documents ({@link dev.sluice.annotation.Json}), optimistic locking ({@link dev.sluice.annotation.Version}), columns the database fills
 * ({@link dev.sluice.annotation.Generated}).
 */
@NullMarked
package dev.sluice.annotation;

import org.jspecify.annotations.NullMarked;
