/**
 * Annotations that map Java records to tables: {@link dev.sluice.annotation.Table}, {@link dev.sluice.annotation.Id},
 * {@link dev.sluice.annotation.Column} and {@link dev.sluice.annotation.UniqueKey}; relations and deferred columns.
 */
@NullMarked
package dev.sluice.annotation;

import org.jspecify.annotations.NullMarked;
