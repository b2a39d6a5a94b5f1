package dev.sluice.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A one-to-many relation: the component is a {@code List} (or {@code Set}) of the child entity, whose table has a
 * column referring to this entity's key.
 *
 * <pre>{@code
 * record Album(@Id Long id, String title, @HasMany(foreignKey = "album_id", orderBy = "id") List<Photo> photos) {}
 * }</pre>
 *
 * <p>Loaded only when a query asks ({@code with("photos")}), in one query per window of parents:
 * {@code ... WHERE album_id = ANY($1)}. Not loaded, the component is {@code null}; loaded with no children, an empty
 * list.
 *
 * <p>An owner with a composite key names one child column per key column, in the owner's key order; the children
 * are then found by all of them:
 *
 * <pre>{@code
 * record Order(@Id String region, @Id Long id,
 *              @HasMany(foreignKey = {"order_region", "order_id"}) List<Line> lines) {}
 * // ... WHERE (order_region, order_id) IN (SELECT * FROM unnest($1, $2))
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER})
public @interface HasMany {
    /**
     * The child table's column that holds this entity's key, e.g. {@code album_id}; for a composite key, one column
     * per key column, in key order.
     */
    String[] foreignKey();

    /**
     * The children's order within each parent: column names with optional asc/desc. Defaults to the child key. An
     * order whose columns are all whole numbers ({@code short}, {@code int}, {@code long}) is applied by Sluice to each
     * parent's children, as PostgreSQL would order them (NULLs last ascending, first descending), so the child query
     * needs no {@code ORDER BY}; any other order is the child query's.
     */
    String orderBy() default "";
}
