package dev.sluice.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A column that is not transferred unless asked for, like a large {@code bytea}: queries leave it out and the
 * component is {@code null}, unless the query says {@code undefer("data")} or it is loaded later with
 * {@code repo.load(entity, "data")}. A deferred component cannot be primitive.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER})
public @interface Deferred {
}
