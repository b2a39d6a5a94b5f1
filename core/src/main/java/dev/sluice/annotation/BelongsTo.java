package dev.sluice.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A to-one relation: the component is the referenced entity, found through a column of this entity's table.
 *
 * <pre>{@code
 * record Photo(@Id Long id, Long albumId, @BelongsTo(foreignKey = "album_id") Album album) {}
 * }</pre>
 *
 * <p>The same column may also back a scalar component ({@code albumId}). Loaded only when a query asks
 * ({@code with("album")}), in one query per window for the window's distinct keys; photos of the same album in a
 * window share one {@code Album} instance. Not loaded, or with a NULL key, the component is {@code null}. An entity
 * with a composite key is referred to by one column per key column, in its key order
 * ({@code @BelongsTo(foreignKey = {"order_region", "order_id"}) Order order}); a NULL in any of them gives
 * {@code null}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER})
public @interface BelongsTo {
    /**
     * This entity's column that holds the referenced entity's key, e.g. {@code album_id}; for a composite key, one
     * column per key column of the referenced entity, in its key order.
     */
    String[] foreignKey();
}
