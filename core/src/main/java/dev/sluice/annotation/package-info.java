/**
 * Annotations that map Java records to tables: {@link dev.sluice.annotation.Table}, {@link dev.sluice.annotation.Id}
 * and {@link dev.sluice.annotation.Column}.
 */
@NullMarked
package dev.sluice.annotation;

import org.jspecify.annotations.NullMarked;
