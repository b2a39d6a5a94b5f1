package dev.sluice.internal;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The Java types a record component may have, and how each is read from a row.
 */
final class ValueType {

    /** Scalar types read as they are (boxed form for primitives). */
    static final Set<Class<?>> SCALARS = Set.of(
            Boolean.class, Short.class, Integer.class, Long.class, Float.class, Double.class, BigDecimal.class,
            String.class, byte[].class, UUID.class, Instant.class, OffsetDateTime.class, ZonedDateTime.class,
            LocalDate.class, LocalDateTime.class, LocalTime.class, OffsetTime.class, java.time.Duration.class,
            dev.sluice.Interval.class, java.nio.ByteBuffer.class, java.net.InetAddress.class);

    /** Element types allowed in boxed arrays such as {@code String[]} or {@code Long[]}. */
    static final Set<Class<?>> ARRAY_ELEMENTS = Set.of(
            Boolean.class, Short.class, Integer.class, Long.class, Float.class, Double.class, BigDecimal.class,
            String.class, UUID.class, Instant.class, OffsetDateTime.class, LocalDate.class, LocalDateTime.class,
            LocalTime.class, java.net.InetAddress.class);

    private static final Map<Class<?>, Class<?>> BOXES = Map.of(
            boolean.class, Boolean.class, short.class, Short.class, int.class, Integer.class, long.class, Long.class,
            float.class, Float.class, double.class, Double.class, byte.class, Byte.class, char.class, Character.class);

    static final String SUPPORTED = "boolean, short, int, long, float, double (or their boxes), BigDecimal, String, "
            + "byte[], ByteBuffer, UUID, InetAddress, Duration, Interval, Instant, OffsetDateTime, ZonedDateTime, LocalDate, LocalDateTime, LocalTime, OffsetTime, "
            + "an enum (stored as text or a PostgreSQL enum), or a boxed array of these such as String[], Long[] or InetAddress[]";

    private ValueType() {
    }

    static Class<?> boxed(Class<?> type) {
        return type.isPrimitive() ? BOXES.get(type) : type;
    }

    static boolean isSupported(Class<?> type) {
        Class<?> boxed = boxed(type);
        if (type == byte.class || type == char.class) {
            return false;
        }
        if (SCALARS.contains(boxed) || boxed.isEnum()) {
            return true;
        }
        return boxed.isArray() && (ARRAY_ELEMENTS.contains(boxed.getComponentType())
                || boxed.getComponentType().isEnum());
    }

    /** The type to ask the driver for: enums travel as their names, arrays of enums as arrays of names. */
    static Class<?> wireType(Class<?> type) {
        Class<?> boxed = boxed(type);
        if (boxed.isArray() && boxed.getComponentType().isEnum()) {
            return String[].class;
        }
        return boxed.isEnum() ? String.class : boxed;
    }

    /** Names of supported types for a message, e.g. "Instant or OffsetDateTime". */
    static String either(List<String> names) {
        if (names.size() == 1) {
            return names.get(0);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }
}
