package dev.sluice.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A column the database fills: an identity column, a {@code GENERATED ALWAYS AS (...) STORED} column, a column with a
 * {@code DEFAULT} such as {@code now()}. It is left out of the column lists of {@code INSERT} (and {@code upsert}) and
 * {@code COPY}, and never set by {@code update} or {@code updateAll}; whatever the entity holds there is ignored.
 * {@code insert}, {@code insertAll}, {@code upsert} and {@code update} return the row as stored, the database's value
 * in it ({@code RETURNING}); {@code copyIn} returns only a count, so read the rows to see their values. An
 * {@link Id} that is null keeps today's rule without this annotation: left to its default in that row.
 *
 * <pre>{@code
 * record Event(@Id @Generated Long id, String name, @Generated Instant createdAt) {}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER})
public @interface Generated {
}
