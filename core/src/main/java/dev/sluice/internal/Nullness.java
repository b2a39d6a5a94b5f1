package dev.sluice.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.RecordComponent;

import org.jspecify.annotations.Nullable;

/**
 * Whether a record component may hold null, as JSpecify marks it: never when primitive; else not when its record is
 * in {@code @NullMarked} code (the record, a class enclosing it, its package or its module, the nearest of them not
 * {@code @NullUnmarked}) and its type is not {@code @Nullable}. The annotations are matched by name, since JSpecify
 * is optional at run time.
 */
final class Nullness {

    private static final String NULLABLE = "org.jspecify.annotations.Nullable";
    private static final String NULL_MARKED = "org.jspecify.annotations.NullMarked";
    private static final String NULL_UNMARKED = "org.jspecify.annotations.NullUnmarked";

    private Nullness() {
    }

    /** Whether {@code component} is declared never to hold null. */
    static boolean nonNull(RecordComponent component) {
        if (component.getType().isPrimitive()) {
            return true;
        }
        if (has(component.getAnnotatedType().getAnnotations(), NULLABLE)) {
            return false;
        }
        return marked(component.getDeclaringRecord());
    }

    private static boolean marked(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
            @Nullable Boolean marking = marking(c);
            if (marking != null) {
                return marking;
            }
        }
        Package pkg = type.getPackage();
        @Nullable Boolean marking = pkg == null ? null : marking(pkg);
        if (marking != null) {
            return marking;
        }
        Module module = type.getModule();
        return module.isNamed() && Boolean.TRUE.equals(marking(module));
    }

    private static @Nullable Boolean marking(AnnotatedElement element) {
        Annotation[] annotations = element.getDeclaredAnnotations();
        if (has(annotations, NULL_MARKED)) {
            return true;
        }
        return has(annotations, NULL_UNMARKED) ? false : null;
    }

    private static boolean has(Annotation[] annotations, String name) {
        for (Annotation annotation : annotations) {
            if (annotation.annotationType().getName().equals(name)) {
                return true;
            }
        }
        return false;
    }
}
