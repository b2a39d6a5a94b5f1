package dev.sluice.internal;

import java.lang.reflect.Array;
import java.util.Collection;

import dev.sluice.QueryException;
import org.jspecify.annotations.Nullable;

/**
 * Turns user values into values a driver binds: collections and primitive arrays become boxed typed arrays (for
 * {@code = any(?)}), enums their names. Rejects what cannot be bound, with the fix.
 */
final class BindValues {

    private BindValues() {
    }

    static Object normalize(@Nullable Object value, String what, int position) {
        if (value == null) {
            throw new QueryException(what + ": value " + position + " is null; SQL '= NULL' matches nothing, "
                    + "write 'column is null' in the condition instead");
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        if (value instanceof Collection<?> collection) {
            return toArray(collection, what, position);
        }
        Class<?> type = value.getClass();
        if (type.isArray() && type.getComponentType().isPrimitive() && type != byte[].class) {
            int length = Array.getLength(value);
            Object boxed = Array.newInstance(ValueType.boxed(type.getComponentType()), length);
            for (int i = 0; i < length; i++) {
                Array.set(boxed, i, Array.get(value, i));
            }
            return boxed;
        }
        if (type.isArray() && type.getComponentType().isEnum()) {
            Object[] enums = (Object[]) value;
            String[] names = new String[enums.length];
            for (int i = 0; i < enums.length; i++) {
                names[i] = enums[i] == null ? null : ((Enum<?>) enums[i]).name();
            }
            return names;
        }
        return value;
    }

    private static Object toArray(Collection<?> collection, String what, int position) {
        Class<?> element = null;
        for (Object o : collection) {
            if (o == null) {
                continue;
            }
            Class<?> c = o instanceof Enum<?> e ? String.class : o.getClass();
            if (element == null) {
                element = c;
            } else if (element != c) {
                throw new QueryException(what + ": value " + position + " is a collection mixing "
                        + element.getSimpleName() + " and " + c.getSimpleName() + "; use one element type");
            }
        }
        if (element == null) {
            throw new QueryException(what + ": value " + position + " is an empty collection (or only nulls), so its "
                    + "SQL array type is unknown; pass a typed array instead, e.g. new Long[0]");
        }
        Object array = Array.newInstance(element, collection.size());
        int i = 0;
        for (Object o : collection) {
            Array.set(array, i++, o instanceof Enum<?> e ? e.name() : o);
        }
        return array;
    }
}
