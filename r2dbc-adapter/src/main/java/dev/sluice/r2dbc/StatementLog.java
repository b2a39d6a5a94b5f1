package dev.sluice.r2dbc;

import java.lang.reflect.Array;
import java.util.HexFormat;
import java.util.List;

import dev.sluice.spi.TypedNull;
import dev.sluice.spi.UntypedBinary;
import dev.sluice.spi.UntypedText;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * Writes every statement with its bind values to the logger {@value #LOGGER} at INFO (through SLF4J when it is on
 * the class path, as Reactor's {@code Loggers} do), the values masked as {@link Masking} says.
 */
final class StatementLog {

    /** The logger's name. */
    static final String LOGGER = "dev.sluice.statements";
    /** The most characters of one value written unmasked. */
    private static final int MAX_VALUE_CHARS = 64;

    private final Logger log;
    private final Masking masking;

    private StatementLog(Logger log, Masking masking) {
        this.log = log;
        this.masking = masking;
    }

    static StatementLog of(Masking masking) {
        return new StatementLog(Loggers.getLogger(LOGGER), masking);
    }

    void log(String sql, List<Object> bindings) {
        if (log.isInfoEnabled()) {
            log.info(format(sql, bindings, masking));
        }
    }

    /** The line logged for a statement. */
    static String format(String sql, List<Object> bindings, Masking masking) {
        if (bindings.isEmpty()) {
            return sql;
        }
        StringBuilder line = new StringBuilder(sql).append(" [");
        for (int i = 0; i < bindings.size(); i++) {
            line.append(i == 0 ? "" : ", ").append('$').append(i + 1).append(' ');
            Object value = bindings.get(i);
            line.append(masking == Masking.NONE ? shown(value) : masked(value));
        }
        return line.append(']').toString();
    }

    /** The value's type and size. */
    static String masked(Object value) {
        if (value instanceof TypedNull typedNull) {
            return "null " + typedNull.type().getSimpleName();
        }
        if (value instanceof CharSequence text) {
            return value.getClass().getSimpleName() + "(" + text.length() + " chars)";
        }
        if (value instanceof UntypedText text) {
            return "text(" + text.text().length() + " chars)";
        }
        if (value instanceof byte[] bytes) {
            return "byte[](" + bytes.length + " bytes)";
        }
        if (value instanceof UntypedBinary binary) {
            return "binary(" + binary.bytes().length + " bytes)";
        }
        if (value.getClass().isArray()) {
            return value.getClass().getComponentType().getSimpleName() + "[](" + Array.getLength(value)
                    + " elements)";
        }
        return value.getClass().getSimpleName();
    }

    /** The value itself, cut short. */
    static String shown(Object value) {
        String shown;
        if (value instanceof TypedNull) {
            shown = "null";
        } else if (value instanceof CharSequence text) {
            shown = "'" + text + "'";
        } else if (value instanceof UntypedText text) {
            shown = "'" + text.text() + "'";
        } else if (value instanceof byte[] bytes) {
            shown = "\\x" + HexFormat.of().formatHex(bytes);
        } else if (value instanceof Object[] array) {
            shown = java.util.Arrays.deepToString(array);
        } else {
            shown = String.valueOf(value);
        }
        return shown.length() <= MAX_VALUE_CHARS ? shown
                : shown.substring(0, MAX_VALUE_CHARS) + "...(" + shown.length() + " chars)";
    }
}
