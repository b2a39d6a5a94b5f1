package dev.sluice.r2dbc;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import dev.sluice.Interval;
import dev.sluice.spi.UnrepresentableValueException;
import org.jspecify.annotations.Nullable;

/**
 * PostgreSQL's wire formats, binary and text, of the types whose values r2dbc-postgresql 1.1.1 changes, decoded
 * exactly: {@code numeric} with its display scale, NaN and the infinities; dates and timestamps in the proleptic
 * Gregorian calendar PostgreSQL uses (before 1582 and BC too), and their {@code infinity}; {@code 24:00:00};
 * {@code jsonb}; one-dimensional arrays of these.
 *
 * <p>Infinity is returned as the Java type's MAX and -infinity as its MIN, values PostgreSQL cannot hold, so they
 * cannot be confused with a stored value. The text formats are those of {@code DateStyle} ISO, which
 * r2dbc-postgresql sets on every connection. Each method reads {@code length} bytes of {@code bytes} from
 * {@code offset}.
 */
final class WireValues {

    /** A numeric that no {@code BigDecimal} holds. */
    enum Special {
        NAN("NaN"), INFINITY("Infinity"), NEGATIVE_INFINITY("-Infinity");

        private final String text;

        Special(String text) {
            this.text = text;
        }

        /** As PostgreSQL writes it. */
        String text() {
            return text;
        }
    }

    /** Decodes one value (an array's element) in binary or text. */
    @FunctionalInterface
    interface Decoder {
        Object decode(byte[] bytes, int offset, int length, boolean binary);
    }

    /** Seconds from 1970-01-01 to PostgreSQL's epoch 2000-01-01 (UTC). */
    private static final long POSTGRES_EPOCH_SECONDS = 946_684_800L;
    /** Days from 1970-01-01 to 2000-01-01. */
    private static final long POSTGRES_EPOCH_DAYS = 10_957L;
    private static final long MICROS_PER_SECOND = 1_000_000L;
    private static final long MICROS_PER_DAY = 86_400L * MICROS_PER_SECOND;

    private static final int NUMERIC_NEGATIVE = 0x4000;
    private static final int NUMERIC_NAN = 0xC000;
    private static final int NUMERIC_INFINITY = 0xD000;
    private static final int NUMERIC_NEGATIVE_INFINITY = 0xF000;
    private static final BigInteger TEN_THOUSAND = BigInteger.valueOf(10_000);

    private WireValues() {
    }

    /** A {@code numeric}: a {@link BigDecimal} with the value's display scale, or a {@link Special}. */
    static Object numeric(byte[] bytes, int offset, int length, boolean binary) {
        if (!binary) {
            String text = text(bytes, offset, length);
            for (Special special : Special.values()) {
                if (special.text().equals(text)) {
                    return special;
                }
            }
            return new BigDecimal(text);
        }
        int digits = shortAt(bytes, offset);
        int weight = shortAt(bytes, offset + 2);
        int sign = shortAt(bytes, offset + 4) & 0xFFFF;
        int displayScale = shortAt(bytes, offset + 6) & 0xFFFF;
        switch (sign) {
            case NUMERIC_NAN:
                return Special.NAN;
            case NUMERIC_INFINITY:
                return Special.INFINITY;
            case NUMERIC_NEGATIVE_INFINITY:
                return Special.NEGATIVE_INFINITY;
            default:
                break;
        }
        // the value is the base-10000 digits as one integer, times 10000^(weight - digits + 1)
        int scale = (digits - 1 - weight) * 4;
        BigDecimal value;
        if (digits <= 4) {
            long unscaled = 0;
            for (int i = 0; i < digits; i++) {
                unscaled = unscaled * 10_000 + shortAt(bytes, offset + 8 + 2 * i);
            }
            value = BigDecimal.valueOf(unscaled, scale);
        } else {
            BigInteger unscaled = BigInteger.ZERO;
            for (int i = 0; i < digits; i++) {
                unscaled = unscaled.multiply(TEN_THOUSAND).add(BigInteger.valueOf(shortAt(bytes, offset + 8 + 2 * i)));
            }
            value = new BigDecimal(unscaled, scale);
        }
        if (sign == NUMERIC_NEGATIVE) {
            value = value.negate();
        }
        // digits past the display scale are zeros: drop them, or add the zeros the scale shows
        try {
            return value.setScale(displayScale, RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            return value;
        }
    }

    /** A {@code smallint}, {@code integer} or {@code bigint}, as a long. */
    static Long integer(byte[] bytes, int offset, int length, boolean binary) {
        if (!binary) {
            return Long.parseLong(text(bytes, offset, length));
        }
        return switch (length) {
            case 2 -> (long) shortAt(bytes, offset);
            case 4 -> (long) intAt(bytes, offset);
            case 8 -> longAt(bytes, offset);
            default -> throw new IllegalArgumentException("An integer of " + length + " bytes");
        };
    }

    /** A binary {@code date}: days since 2000-01-01, or infinity. */
    static LocalDate date(int days) {
        if (days == Integer.MAX_VALUE) {
            return LocalDate.MAX;
        }
        if (days == Integer.MIN_VALUE) {
            return LocalDate.MIN;
        }
        return LocalDate.ofEpochDay(days + POSTGRES_EPOCH_DAYS);
    }

    /** A {@code date}; infinity as {@link LocalDate#MAX}, -infinity as {@link LocalDate#MIN}. */
    static LocalDate date(byte[] bytes, int offset, int length, boolean binary) {
        if (binary) {
            return date(intAt(bytes, offset));
        }
        String text = text(bytes, offset, length);
        if (text.equals("infinity")) {
            return LocalDate.MAX;
        }
        if (text.equals("-infinity")) {
            return LocalDate.MIN;
        }
        TextCursor cursor = new TextCursor(text);
        int[] date = cursor.date();
        return cursor.end(cursor.era(date));
    }

    /** A binary {@code timestamp}: microseconds since 2000-01-01 00:00, or infinity. */
    static LocalDateTime timestamp(long micros) {
        if (micros == Long.MAX_VALUE) {
            return LocalDateTime.MAX;
        }
        if (micros == Long.MIN_VALUE) {
            return LocalDateTime.MIN;
        }
        return LocalDateTime.ofEpochSecond(epochSecond(micros), nanoOfSecond(micros), ZoneOffset.UTC);
    }

    /** A {@code timestamp}; infinity as {@link LocalDateTime#MAX}, -infinity as {@link LocalDateTime#MIN}. */
    static LocalDateTime timestamp(byte[] bytes, int offset, int length, boolean binary) {
        if (binary) {
            return timestamp(longAt(bytes, offset));
        }
        String text = text(bytes, offset, length);
        if (text.equals("infinity")) {
            return LocalDateTime.MAX;
        }
        if (text.equals("-infinity")) {
            return LocalDateTime.MIN;
        }
        TextCursor cursor = new TextCursor(text);
        int[] date = cursor.date();
        cursor.expect(' ');
        LocalTime time = cursor.time();
        return cursor.end(LocalDateTime.of(cursor.era(date), time));
    }

    /** A binary {@code timestamptz}: microseconds since 2000-01-01 00:00 UTC, or infinity. */
    static Instant timestamptz(long micros) {
        if (micros == Long.MAX_VALUE) {
            return Instant.MAX;
        }
        if (micros == Long.MIN_VALUE) {
            return Instant.MIN;
        }
        return Instant.ofEpochSecond(epochSecond(micros), nanoOfSecond(micros));
    }

    /** A {@code timestamptz}; infinity as {@link Instant#MAX}, -infinity as {@link Instant#MIN}. */
    static Instant timestamptz(byte[] bytes, int offset, int length, boolean binary) {
        if (binary) {
            return timestamptz(longAt(bytes, offset));
        }
        String text = text(bytes, offset, length);
        if (text.equals("infinity")) {
            return Instant.MAX;
        }
        if (text.equals("-infinity")) {
            return Instant.MIN;
        }
        TextCursor cursor = new TextCursor(text);
        int[] date = cursor.date();
        cursor.expect(' ');
        LocalTime time = cursor.time();
        ZoneOffset zone = cursor.offset();
        return cursor.end(LocalDateTime.of(cursor.era(date), time).toInstant(zone));
    }

    /** A binary {@code time}: microseconds since midnight; 24:00:00 as {@link LocalTime#MAX}. */
    static LocalTime time(long micros) {
        return timeOfDay(micros);
    }

    /** A {@code time}; 24:00:00 as {@link LocalTime#MAX}. */
    static LocalTime time(byte[] bytes, int offset, int length, boolean binary) {
        if (binary) {
            return time(longAt(bytes, offset));
        }
        TextCursor cursor = new TextCursor(text(bytes, offset, length));
        return cursor.end(cursor.time());
    }

    /** A {@code timetz}; 24:00:00 as {@link LocalTime#MAX} at the value's offset. */
    static OffsetTime timetz(byte[] bytes, int offset, int length, boolean binary) {
        if (binary) {
            // the zone is sent in seconds west of UTC
            return OffsetTime.of(timeOfDay(longAt(bytes, offset)),
                    ZoneOffset.ofTotalSeconds(-intAt(bytes, offset + 8)));
        }
        TextCursor cursor = new TextCursor(text(bytes, offset, length));
        LocalTime time = cursor.time();
        return cursor.end(OffsetTime.of(time, cursor.offset()));
    }

    /**
     * An {@code interval}: binary is microseconds, days, months; text is PostgreSQL's default IntervalStyle
     * {@code postgres}, e.g. {@code 1 year 2 mons -3 days +04:05:06.789}, or ISO 8601 ({@code P1Y2M3DT4H5M6S}).
     */
    static Interval interval(byte[] bytes, int offset, int length, boolean binary) {
        if (binary) {
            return Interval.of(intAt(bytes, offset + 12), intAt(bytes, offset + 8), longAt(bytes, offset));
        }
        String text = text(bytes, offset, length).trim();
        if (text.startsWith("P") || text.startsWith("-P")) {
            throw new IllegalArgumentException("Cannot read the ISO 8601 interval '" + text + "'; Sluice reads "
                    + "IntervalStyle postgres, the default: do not change it");
        }
        long months = 0;
        long days = 0;
        long micros = 0;
        String[] words = text.split(" ");
        for (int i = 0; i < words.length; i++) {
            String word = words[i];
            if (word.contains(":")) {
                boolean negative = word.startsWith("-");
                String[] hms = word.replace("-", "").replace("+", "").split(":");
                String[] seconds = hms[2].split("\\.");
                long fraction = 0;
                if (seconds.length > 1) {
                    String digits = (seconds[1] + "000000").substring(0, 6);
                    fraction = Long.parseLong(digits);
                }
                long value = ((Long.parseLong(hms[0]) * 60 + Long.parseLong(hms[1])) * 60 + Long.parseLong(seconds[0]))
                        * 1_000_000L + fraction;
                micros += negative ? -value : value;
                continue;
            }
            long number = Long.parseLong(word);
            String unit = words[++i];
            if (unit.startsWith("year")) {
                months += number * 12;
            } else if (unit.startsWith("mon")) {
                months += number;
            } else if (unit.startsWith("day")) {
                days += number;
            } else {
                throw new IllegalArgumentException("Cannot read the interval '" + text + "' at '" + unit + "'");
            }
        }
        return Interval.of(Math.toIntExact(months), Math.toIntExact(days), micros);
    }

    /** An interval for a message, in PostgreSQL's words: {@code 1 mons 2 days 3000000 microseconds}. */
    static String describe(Interval interval) {
        return interval.period().toTotalMonths() + " mons " + interval.period().getDays() + " days "
                + interval.time().toNanos() / 1000 + " microseconds";
    }

    /**
     * An {@code inet} or {@code cidr} as PostgreSQL writes it as text: the address in full (IPv6 with its longest run
     * of zero groups as {@code ::}), then {@code /bits} but for an inet of all bits. Binary is family, bits, is_cidr,
     * length, address.
     */
    static String inet(byte[] bytes, int offset, int length, boolean binary) {
        if (!binary) {
            return text(bytes, offset, length);
        }
        int bits = bytes[offset + 1] & 0xff;
        boolean cidr = bytes[offset + 2] != 0;
        int n = bytes[offset + 3] & 0xff;
        StringBuilder out = new StringBuilder();
        if (n == 4) {
            for (int i = 0; i < 4; i++) {
                out.append(i == 0 ? "" : ".").append(bytes[offset + 4 + i] & 0xff);
            }
        } else {
            ipv6(bytes, offset + 4, out);
        }
        if (cidr || bits != n * 8) {
            out.append('/').append(bits);
        }
        return out.toString();
    }

    /** PostgreSQL's inet_net_ntop_ipv6: the longest (first) run of two or more zero groups as ::, IPv4 tails. */
    private static void ipv6(byte[] b, int at, StringBuilder out) {
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = ((b[at + 2 * i] & 0xff) << 8) | (b[at + 2 * i + 1] & 0xff);
        }
        int bestBase = -1;
        int bestLen = 0;
        int curBase = -1;
        int curLen = 0;
        for (int i = 0; i < 8; i++) {
            if (words[i] == 0) {
                if (curBase == -1) {
                    curBase = i;
                    curLen = 1;
                } else {
                    curLen++;
                }
            } else if (curBase != -1) {
                if (bestBase == -1 || curLen > bestLen) {
                    bestBase = curBase;
                    bestLen = curLen;
                }
                curBase = -1;
            }
        }
        if (curBase != -1 && (bestBase == -1 || curLen > bestLen)) {
            bestBase = curBase;
            bestLen = curLen;
        }
        if (bestBase != -1 && bestLen < 2) {
            bestBase = -1;
        }
        for (int i = 0; i < 8; i++) {
            if (bestBase != -1 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) {
                    out.append(':');
                }
                continue;
            }
            if (i != 0) {
                out.append(':');
            }
            if (i == 6 && bestBase == 0 && (bestLen == 6 || bestLen == 5 && words[5] == 0xffff)) {
                out.append(b[at + 12] & 0xff).append('.').append(b[at + 13] & 0xff).append('.')
                        .append(b[at + 14] & 0xff).append('.').append(b[at + 15] & 0xff);
                return;
            }
            out.append(Integer.toHexString(words[i]));
        }
        if (bestBase != -1 && bestBase + bestLen == 8) {
            out.append(':');
        }
    }

    /**
     * An inet's text as the host it names.
     *
     * @throws UnrepresentableValueException for a network (a prefix shorter than the address), which InetAddress
     *                                       cannot carry
     */
    static java.net.InetAddress host(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        int full = address.indexOf(':') >= 0 ? 128 : 32;
        if (slash >= 0 && Integer.parseInt(text.substring(slash + 1)) != full) {
            throw new UnrepresentableValueException(text, java.net.InetAddress.class,
                    "declare the component as String, which keeps the prefix length");
        }
        try {
            java.net.InetAddress host = java.net.InetAddress.getByName(address); // a literal: no name lookup
            if (full == 128 && host.getAddress().length == 4) { // Java reads ::ffff:a.b.c.d as IPv4: keep it IPv6
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(host.getAddress(), 0, mapped, 12, 4);
                return java.net.Inet6Address.getByAddress(null, mapped, -1);
            }
            return host;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("PostgreSQL wrote the inet '" + text + "', which Java cannot read", e);
        }
    }

    /** A {@code bit} or {@code varbit} as its text of 0s and 1s; binary is the length in bits, then the bits. */
    static String bits(byte[] bytes, int offset, int length, boolean binary) {
        if (!binary) {
            return text(bytes, offset, length);
        }
        int n = intAt(bytes, offset);
        char[] out = new char[n];
        for (int i = 0; i < n; i++) {
            out[i] = (bytes[offset + 4 + i / 8] & (0x80 >> (i % 8))) != 0 ? '1' : '0';
        }
        return new String(out);
    }

    /** A value's text, as in an array of a type whose binary form is its text (an enum). */
    static String utf8(byte[] bytes, int offset, int length, boolean binary) {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }

    /** A {@code jsonb}: its text (binary jsonb is a version byte, 1, before the text). */
    static String jsonb(byte[] bytes, int offset, int length, boolean binary) {
        if (!binary) {
            return new String(bytes, offset, length, StandardCharsets.UTF_8);
        }
        if (length < 1 || bytes[offset] != 1) {
            throw new IllegalStateException("Unknown binary jsonb version " + (length < 1 ? "(none)" : bytes[offset])
                    + "; Sluice reads version 1");
        }
        return new String(bytes, offset + 1, length - 1, StandardCharsets.UTF_8);
    }

    /**
     * The elements of a one-dimensional array, each decoded by {@code element} (null for a NULL element).
     *
     * @throws IllegalArgumentException for an array of more than one dimension
     */
    static List<@Nullable Object> array(byte[] bytes, boolean binary, Decoder element) {
        return binary ? binaryArray(bytes, element) : textArray(text(bytes, 0, bytes.length), element);
    }

    private static List<@Nullable Object> binaryArray(byte[] bytes, Decoder element) {
        int dimensions = intAt(bytes, 0);
        if (dimensions == 0) {
            return List.of();
        }
        if (dimensions != 1) {
            throw multidimensional(dimensions);
        }
        int size = intAt(bytes, 12);
        List<@Nullable Object> elements = new ArrayList<>(size);
        int at = 20; // dimensions, flags, element type, then size and lower bound of the one dimension
        for (int i = 0; i < size; i++) {
            int length = intAt(bytes, at);
            at += 4;
            if (length < 0) {
                elements.add(null);
            } else {
                elements.add(element.decode(bytes, at, length, true));
                at += length;
            }
        }
        return elements;
    }

    private static List<@Nullable Object> textArray(String text, Decoder element) {
        int at = 0;
        if (text.startsWith("[")) { // bounds other than [1:n], e.g. [0:1]={1,2}
            at = text.indexOf('=') + 1;
        }
        if (at >= text.length() || text.charAt(at) != '{') {
            throw new IllegalArgumentException("Not an array: " + text);
        }
        at++;
        List<@Nullable Object> elements = new ArrayList<>();
        if (text.charAt(at) == '}') {
            return elements;
        }
        StringBuilder value = new StringBuilder();
        while (true) {
            char c = text.charAt(at);
            if (c == '{') {
                throw multidimensional(2);
            }
            value.setLength(0);
            boolean quoted = c == '"';
            if (quoted) {
                at++;
                while ((c = text.charAt(at)) != '"') {
                    if (c == '\\') {
                        at++;
                        c = text.charAt(at);
                    }
                    value.append(c);
                    at++;
                }
                at++;
            } else {
                while ((c = text.charAt(at)) != ',' && c != '}') {
                    value.append(c);
                    at++;
                }
            }
            if (!quoted && value.toString().equalsIgnoreCase("NULL")) {
                elements.add(null);
            } else {
                byte[] bytes = value.toString().getBytes(StandardCharsets.UTF_8);
                elements.add(element.decode(bytes, 0, bytes.length, false));
            }
            c = text.charAt(at++);
            if (c == '}') {
                return elements;
            }
        }
    }

    private static IllegalArgumentException multidimensional(int dimensions) {
        return new IllegalArgumentException("The array has " + dimensions + " dimensions; Sluice reads arrays of one "
                + "dimension into Java arrays");
    }

    private static LocalTime timeOfDay(long micros) {
        return micros == MICROS_PER_DAY ? LocalTime.MAX : LocalTime.ofNanoOfDay(micros * 1000);
    }

    private static long epochSecond(long postgresMicros) {
        return Math.floorDiv(postgresMicros, MICROS_PER_SECOND) + POSTGRES_EPOCH_SECONDS;
    }

    private static int nanoOfSecond(long postgresMicros) {
        return (int) Math.floorMod(postgresMicros, MICROS_PER_SECOND) * 1000;
    }

    private static String text(byte[] bytes, int offset, int length) {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }

    private static short shortAt(byte[] b, int at) {
        return (short) ((b[at] << 8) | (b[at + 1] & 0xFF));
    }

    private static int intAt(byte[] b, int at) {
        return (b[at] << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    private static long longAt(byte[] b, int at) {
        return ((long) intAt(b, at) << 32) | (intAt(b, at + 4) & 0xFFFFFFFFL);
    }

    /**
     * Reads ISO dates and times as PostgreSQL writes them: {@code 2026-12-01}, {@code 12:34:56.789012},
     * {@code +05:45}, {@code +00:19:32}, a trailing {@code BC}.
     */
    private static final class TextCursor {
        private final String text;
        private int at;

        TextCursor(String text) {
            this.text = text;
        }

        /** Year of era, month, day: the era is known only at the end of the text. */
        int[] date() {
            int year = number(1, 9);
            expect('-');
            int month = number(2, 2);
            expect('-');
            return new int[] {year, month, number(2, 2)};
        }

        LocalTime time() {
            int hour = number(2, 2);
            expect(':');
            int minute = number(2, 2);
            expect(':');
            int second = number(2, 2);
            int nanos = 0;
            if (at < text.length() && text.charAt(at) == '.') {
                at++;
                int start = at;
                nanos = number(1, 9);
                for (int digits = at - start; digits < 9; digits++) {
                    nanos *= 10;
                }
            }
            if (hour == 24 && minute == 0 && second == 0 && nanos == 0) {
                return LocalTime.MAX;
            }
            return LocalTime.of(hour, minute, second, nanos);
        }

        ZoneOffset offset() {
            char sign = text.charAt(at++);
            if (sign != '+' && sign != '-') {
                throw unexpected();
            }
            int seconds = number(2, 2) * 3600;
            if (at < text.length() && text.charAt(at) == ':') {
                at++;
                seconds += number(2, 2) * 60;
                if (at < text.length() && text.charAt(at) == ':') {
                    at++;
                    seconds += number(2, 2);
                }
            }
            return ZoneOffset.ofTotalSeconds(sign == '-' ? -seconds : seconds);
        }

        /** The {@link #date()} read before, in the era that follows here: {@code 0044-03-15 BC} is -0043-03-15. */
        LocalDate era(int[] date) {
            int year = date[0];
            if (text.startsWith(" BC", at)) {
                at += 3;
                year = 1 - year;
            }
            return LocalDate.of(year, date[1], date[2]);
        }

        void expect(char c) {
            if (at >= text.length() || text.charAt(at) != c) {
                throw unexpected();
            }
            at++;
        }

        <T> T end(T value) {
            if (at != text.length()) {
                throw unexpected();
            }
            return value;
        }

        private int number(int minDigits, int maxDigits) {
            int start = at;
            int value = 0;
            while (at < text.length() && at - start < maxDigits && Character.isDigit(text.charAt(at))) {
                value = value * 10 + (text.charAt(at++) - '0');
            }
            if (at - start < minDigits) {
                throw unexpected();
            }
            return value;
        }

        private IllegalArgumentException unexpected() {
            return new IllegalArgumentException("Cannot read '" + text + "' at position " + at + " as an ISO date or "
                    + "time; Sluice reads PostgreSQL's DateStyle ISO, which r2dbc-postgresql sets: do not change it");
        }
    }
}
