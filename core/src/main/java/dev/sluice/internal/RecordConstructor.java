package dev.sluice.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;

import dev.sluice.MappingException;

/**
 * A record's canonical constructor, prepared once as a method handle that takes its arguments as an array (boxed
 * primitives unboxed on the way): what every mapper builds rows with, without reflection per row.
 */
final class RecordConstructor<T> {

    private final Class<T> type;
    private final MethodHandle handle;

    private RecordConstructor(Class<T> type, MethodHandle handle) {
        this.type = type;
        this.handle = handle;
    }

    /**
     * @throws MappingException if the record is not accessible to Sluice
     */
    static <T> RecordConstructor<T> of(Class<T> type) {
        RecordComponent[] components = type.getRecordComponents();
        Class<?>[] parameters = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            MethodHandle handle = lookup(type).unreflectConstructor(type.getDeclaredConstructor(parameters))
                    .asType(MethodType.genericMethodType(parameters.length))
                    .asSpreader(Object[].class, parameters.length)
                    .asType(MethodType.methodType(Object.class, Object[].class));
            return new RecordConstructor<>(type, handle);
        } catch (NoSuchMethodException e) {
            throw new MappingException(type.getSimpleName() + ": no canonical constructor found", e);
        } catch (IllegalAccessException e) {
            throw inaccessible(type, e);
        }
    }

    /**
     * A lookup with private access to the record, to read its accessors and call its constructor. On the module path
     * Sluice's module first reads the record's (a named module that opens the record's package to Sluice is not read
     * by Sluice otherwise); on the classpath both are unnamed and this changes nothing.
     */
    static MethodHandles.Lookup lookup(Class<?> type) {
        Module sluice = RecordConstructor.class.getModule();
        if (!sluice.canRead(type.getModule())) {
            sluice.addReads(type.getModule());
        }
        try {
            return MethodHandles.privateLookupIn(type, MethodHandles.lookup());
        } catch (IllegalAccessException e) {
            throw inaccessible(type, e);
        }
    }

    static MappingException inaccessible(Class<?> type, Exception cause) {
        return new MappingException(type.getSimpleName() + " is not accessible to Sluice; open its package "
                + type.getPackageName() + " to Sluice (module-info: 'opens " + type.getPackageName()
                + " to dev.sluice.core'), or make the record public", cause);
    }

    /** A new instance from values in component order; a primitive's value must not be null. */
    T construct(Object[] args) {
        try {
            return type.cast((Object) handle.invokeExact(args));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new MappingException(type.getSimpleName() + ": its canonical constructor threw " + t, t);
        }
    }

    /** Reads a component through an accessor handle of type {@code (Object)Object}. */
    static Object read(MethodHandle accessor, Object record, String component) {
        try {
            return (Object) accessor.invokeExact(record);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("Reading " + component + " failed", t);
        }
    }
}
