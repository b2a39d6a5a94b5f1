package dev.sluice.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares that an entity's {@link Id} columns are unique and never NULL where PostgreSQL cannot tell: a view, a
 * materialized view, a foreign table, or a table whose uniqueness is kept by other means than a constraint.
 *
 * <pre>{@code
 * @Table("recent_picture")   // a view over picture, one row per picture id
 * @UniqueKey
 * record RecentPicture(@Id Long id, String name) {}
 * }</pre>
 *
 * <p>Sluice pages by the key ({@code WHERE id > $last ORDER BY id LIMIT n}) and finds rows by it, so a key that
 * repeats would make a scan skip rows without a word. Without this annotation, the first use of an entity checks that
 * its key columns are NOT NULL and that a primary key or a unique index (not partial, not deferrable) covers them,
 * and refuses the entity otherwise. With it, Sluice skips that check and trusts the declaration: if the key does
 * repeat, rows are skipped.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface UniqueKey {
}
