package dev.sluice.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * A repository's value converters: for a Java type (a value object such as {@code Money}), the type Sluice stores it
 * as ({@code BigDecimal}) and the two functions between them. Immutable; {@link #with} returns a new set. Each set
 * builds and caches its own entity models, since a model's components depend on the converters. Public only so
 * adapters can build it from their builders; unstable API.
 */
public final class Converters {

    /** No converters: the models every repository without converters shares. */
    public static final Converters NONE = new Converters(Map.of());

    private final Map<Class<?>, ValueCodec> codecs;
    private final ClassValue<EntityModel<?>> models = new ClassValue<>() {
        @Override
        protected EntityModel<?> computeValue(Class<?> type) {
            return EntityModel.build(type, Converters.this);
        }
    };

    private Converters(Map<Class<?>, ValueCodec> codecs) {
        this.codecs = Map.copyOf(codecs);
    }

    /**
     * These converters and one more: values of {@code type} are stored as {@code stored}.
     *
     * @param stored a type Sluice stores as it is, e.g. {@code BigDecimal}, {@code String}, {@code Long}
     * @param read   turns a stored value into the Java value; never given null
     * @param write  turns a Java value into the stored value; never given null, must not return null
     * @throws IllegalArgumentException if {@code stored} is not such a type, {@code type} is one, or already has a
     *                                  converter
     */
    @SuppressWarnings("unchecked")
    public <J, S> Converters with(Class<J> type, Class<S> stored, Function<? super S, ? extends J> read,
                                  Function<? super J, ? extends S> write) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(stored, "stored");
        Objects.requireNonNull(read, "read");
        Objects.requireNonNull(write, "write");
        if (!ValueType.isSupported(stored) || stored.isPrimitive()) {
            throw new IllegalArgumentException("converter(" + type.getSimpleName() + ".class, " + stored.getSimpleName()
                    + ".class, ...): " + stored.getSimpleName() + " is not a type Sluice stores as it is; store it as "
                    + "one of " + ValueType.SUPPORTED + " (boxed)");
        }
        if (ValueType.isSupported(type)) {
            throw new IllegalArgumentException("converter(" + type.getSimpleName() + ".class, ...): Sluice maps "
                    + type.getSimpleName() + " itself; a converter is for other types, such as value objects");
        }
        if (codecs.containsKey(type)) {
            throw new IllegalArgumentException("converter(" + type.getSimpleName() + ".class, ...): "
                    + type.getSimpleName() + " already has a converter; register one per type");
        }
        Map<Class<?>, ValueCodec> more = new HashMap<>(codecs);
        String what = "the converter " + type.getSimpleName() + " <-> " + stored.getSimpleName();
        Function<Object, Object> toStored = value -> {
            Object s = ((Function<Object, Object>) write).apply(value);
            if (s == null) {
                throw new IllegalArgumentException(what + " wrote null for " + value);
            }
            if (!stored.isInstance(s)) {
                throw new IllegalArgumentException(what + " wrote a " + s.getClass().getSimpleName() + " for " + value);
            }
            return s;
        };
        Function<Object, Object> fromStored = value -> {
            Object j = ((Function<Object, Object>) read).apply(value);
            if (j == null) {
                throw new IllegalArgumentException(what + " read null from " + ColumnFit.show(value));
            }
            return j;
        };
        more.put(type, new ValueCodec(type, stored, toStored, fromStored, what));
        return new Converters(more);
    }

    /** The converter of {@code type}, or null. */
    @Nullable ValueCodec codec(Class<?> type) {
        return codecs.get(type);
    }

    /** The model of an entity type, with these converters, built on first use. */
    @SuppressWarnings("unchecked")
    <T> EntityModel<T> model(Class<T> type) {
        try {
            return (EntityModel<T>) models.get(type);
        } catch (dev.sluice.MappingException e) {
            // ClassValue does not cache a failed computation: rethrow a fresh copy so the stack shows this caller
            throw new dev.sluice.MappingException(e.getMessage(), e);
        }
    }

    /**
     * A value as it is bound: a value of a type with a converter as its stored value, anything else as it is.
     */
    Object stored(Object value) {
        ValueCodec codec = codecs.isEmpty() ? null : codecs.get(value.getClass());
        return codec == null ? value : codec.toStored().apply(value);
    }
}
