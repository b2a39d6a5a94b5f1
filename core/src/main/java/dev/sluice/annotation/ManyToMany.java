package dev.sluice.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A many-to-many relation through a join table: the component is a {@code List} (or {@code Set}) of the other
 * entity.
 *
 * <pre>{@code
 * @ManyToMany(joinTable = "photo_tag", joinColumn = "photo_id", inverseJoinColumn = "tag_id", orderBy = "name")
 * List<Tag> tags
 * }</pre>
 *
 * <p>Loaded only when a query asks, in one query per window through the join table. An entity with a composite key
 * has one join table column per key column, in its key order.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER})
public @interface ManyToMany {
    /** The join table, e.g. {@code photo_tag}. */
    String joinTable();

    /** The join table's column holding this entity's key, e.g. {@code photo_id}; one per key column, in key order. */
    String[] joinColumn();

    /**
     * The join table's column holding the other entity's key, e.g. {@code tag_id}; one per key column of the other
     * entity, in its key order.
     */
    String[] inverseJoinColumn();

    /**
     * The order of the other entities within each owner: their column names with optional asc/desc. An order on whole
     * numbers only is applied by Sluice to each owner's entities, as PostgreSQL would; any other is the query's.
     */
    String orderBy() default "";
}
