package dev.sluice.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the table a record maps to.
 *
 * <p>Without it, the table name is the record's simple name in snake case: {@code PictureTag} maps to
 * {@code picture_tag}. A schema-qualified name ({@code "archive.picture"}) is allowed; otherwise the table is
 * looked up through the connection's {@code search_path}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Table {
    /** The table name, optionally qualified by its schema. */
    String value();
}
