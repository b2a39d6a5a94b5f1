package dev.sluice.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The component that guards a row against lost updates (optimistic locking): a {@code long}, {@code int} or
 * {@code short} (or its box) in an integer column. {@code update} and {@code delete}, one entity or batched
 * ({@code updateAll}, {@code deleteAll}), change the row only where it still holds the entity's version
 * ({@code ... AND version = $n}); an update sets it to the next number and returns the entity with it. When the row
 * has another version, or is gone, the write fails with {@link dev.sluice.OptimisticLockException} naming the entity
 * and its key: reload the row and apply the change again. {@code insert}, {@code copyIn} and {@code upsert} store the
 * version as given. At most one per entity, and not part of the key.
 *
 * <pre>{@code
 * record Account(@Id Long id, String owner, @Version long version) {}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER})
public @interface Version {
}
