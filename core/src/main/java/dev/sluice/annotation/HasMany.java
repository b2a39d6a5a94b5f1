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
 * list. The owning entity must have a single-column key.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER})
public @interface HasMany {
    /** The child table's column that holds this entity's key, e.g. {@code album_id}. */
    String foreignKey();

    /** The children's order within each parent: column names with optional asc/desc. Defaults to the child key. */
    String orderBy() default "";
}
