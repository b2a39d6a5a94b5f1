package dev.sluice.internal;

import java.util.function.Function;

/**
 * How a component's Java value becomes a value of a type Sluice stores directly (its stored type), and back: the
 * identity for the types of {@link ValueType}, a JSON document's text for {@code @Json} and Jackson trees, a
 * registered converter's functions ({@link Converters}). Every read, write, COPY, bind argument and key goes through
 * it, so one codec covers every path.
 *
 * @param javaType   the component's declared type
 * @param storedType the type the value is read and written as (possibly primitive, as declared, when identity)
 * @param toStored   Java value to stored value; never given null
 * @param fromStored stored value to Java value; never given null
 * @param what       what the codec is, for messages, e.g. {@code the converter Money <-> BigDecimal}
 */
record ValueCodec(Class<?> javaType, Class<?> storedType, Function<Object, Object> toStored,
                  Function<Object, Object> fromStored, String what) {

    /** The codec of a type stored as it is. */
    static ValueCodec identity(Class<?> type) {
        return new ValueCodec(type, type, Function.identity(), Function.identity(), "");
    }

    boolean isIdentity() {
        return what.isEmpty();
    }
}
