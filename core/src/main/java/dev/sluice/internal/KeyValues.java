package dev.sluice.internal;

import java.util.ArrayList;
import java.util.List;

import dev.sluice.QueryException;
import dev.sluice.spi.UntypedText;
import org.jspecify.annotations.Nullable;

/**
 * Key values as given to {@code findById}, checked against an entity's key and coerced to its components' types:
 * a {@code Long} key accepts an {@code Integer} ({@code findById(Picture.class, 42)}), an {@code Integer} key a
 * {@code Long} that fits, an enum key its constant (bound by name).
 */
final class KeyValues {

    private KeyValues() {
    }

    /**
     * The values of {@code key} in key order, each of its component's type.
     *
     * @throws QueryException naming the entity and the fix, when the count, a null or a type is wrong
     */
    static List<Object> of(EntityModel<?> model, Object[] key) {
        List<Property> properties = model.key();
        String what = "findById(" + model.name() + ".class, ...)";
        if (key.length != properties.size()) {
            throw new QueryException(what + ": " + model.name() + " has " + properties.size() + " key component"
                    + (properties.size() == 1 ? "" : "s") + " (" + properties.stream().map(Property::name)
                    .reduce((a, b) -> a + ", " + b).orElse("") + ") but " + key.length + " value"
                    + (key.length == 1 ? " was" : "s were") + " given");
        }
        List<Object> values = new ArrayList<>(key.length);
        for (int i = 0; i < key.length; i++) {
            values.add(keyValue(properties.get(i), key[i], what));
        }
        return values;
    }

    private static Object keyValue(Property p, @Nullable Object value, String what) {
        if (value == null) {
            throw new QueryException(what + ": the value for key " + p.name() + " is null; a key is never null");
        }
        if (!p.codec().isIdentity() && p.javaType().isInstance(value)) {
            try {
                return p.codec().toStored().apply(value);
            } catch (RuntimeException e) {
                throw new QueryException(what + ": " + p.codec().what() + " could not write key " + p.name() + " ("
                        + value + "): " + e.getMessage());
            }
        }
        Class<?> wanted = p.boxedType();
        if (wanted.isInstance(value)) {
            return wanted.isEnum() ? new UntypedText(((Enum<?>) value).name()) : value;
        }
        if (value instanceof Number number && (value instanceof Long || value instanceof Integer
                || value instanceof Short)) {
            long v = number.longValue();
            if (wanted == Long.class) {
                return v;
            }
            if (wanted == Integer.class && v == (int) v) {
                return (int) v;
            }
            if (wanted == Short.class && v == (short) v) {
                return (short) v;
            }
        }
        throw new QueryException(what + ": key " + p.name() + " is " + p.javaType().getSimpleName() + " but a "
                + value.getClass().getSimpleName() + " (" + value + ") was given; pass a "
                + ValueType.boxed(p.javaType()).getSimpleName());
    }
}
