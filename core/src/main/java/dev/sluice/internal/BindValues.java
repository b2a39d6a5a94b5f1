package dev.sluice.internal;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.StringJoiner;

import dev.sluice.QueryException;
import dev.sluice.spi.UntypedText;
import org.jspecify.annotations.Nullable;

/**
 * Turns user values into values a driver binds: a value of a type with a converter its stored value, collections
 * and primitive arrays boxed typed arrays (for {@code = any(?)}); enums their names, and a Jackson tree its text, as
 * {@link UntypedText}, so that PostgreSQL reads them as what they are compared with (an enum or {@code jsonb}
 * column, or text); an array or collection of enums the text of an array, untyped too. Rejects what cannot be
 * bound, with the fix.
 */
final class BindValues {

    private BindValues() {
    }

    static Object normalize(@Nullable Object value, String what, int position) {
        return normalize(value, what, position, Converters.NONE);
    }

    static Object normalize(@Nullable Object value, String what, int position, Converters converters) {
        if (value == null) {
            throw new QueryException(what + ": value " + position + " is null; SQL '= NULL' matches nothing, "
                    + "write 'column is null' in the condition instead");
        }
        value = converters.stored(value);
        if (value instanceof Enum<?> e) {
            return new UntypedText(e.name());
        }
        if (value instanceof java.nio.ByteBuffer buffer) {
            return EntityModel.bytes(buffer);
        }
        if (value instanceof java.time.Duration || value instanceof dev.sluice.Interval) {
            return new UntypedText(ColumnFit.intervalText(value));
        }
        if (value instanceof java.net.InetAddress address) {
            try {
                return new UntypedText(InetValue.text(address));
            } catch (IllegalArgumentException e) {
                throw new QueryException(what + ": value " + position + " (" + address + "): " + e.getMessage());
            }
        }
        if (JsonMapper.isAnyTree(value.getClass())) {
            return new UntypedText(value.toString());
        }
        if (value instanceof Collection<?> collection) {
            List<Object> stored = new ArrayList<>(collection.size());
            for (Object o : collection) {
                stored.add(o == null ? null : converters.stored(o));
            }
            if (!stored.isEmpty() && (stored.stream().allMatch(o -> o == null || o instanceof Enum<?>)
                    || stored.stream().allMatch(o -> o == null || o instanceof java.net.InetAddress))) {
                return arrayText(stored, what, position);
            }
            return toArray(stored, what, position);
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
        if (type.isArray() && (type.getComponentType().isEnum()
                || java.net.InetAddress.class.isAssignableFrom(type.getComponentType()))) {
            return arrayText(Arrays.asList((Object[]) value), what, position);
        }
        return value;
    }

    /**
     * Enums, addresses or texts (or nulls) as the text of a PostgreSQL array, untyped, so that PostgreSQL reads it
     * as the array type it is compared with or stored in: {@code {"CALM","ANGRY",NULL}}.
     */
    static UntypedText arrayText(List<?> elements) {
        StringJoiner text = new StringJoiner(",", "{", "}");
        for (Object o : elements) {
            text.add(o == null ? "NULL" : quoted(o instanceof Enum<?> e ? e.name()
                    : o instanceof java.net.InetAddress address ? InetValue.text(address) : o.toString()));
        }
        return new UntypedText(text.toString());
    }

    /** As {@link #arrayText(List)}, an address InetAddress cannot show as PostgreSQL does refused with the fix. */
    private static UntypedText arrayText(List<?> elements, String what, int position) {
        try {
            return arrayText(elements);
        } catch (IllegalArgumentException e) {
            throw new QueryException(what + ": value " + position + ": " + e.getMessage());
        }
    }

    /** An element of an array's text, quoted: {@code "a \"b\""}. */
    static String quoted(String element) {
        return "\"" + element.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
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
