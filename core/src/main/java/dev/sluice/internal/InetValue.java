package dev.sluice.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * {@code inet} and {@code cidr} values: an {@link InetAddress} (a host: all bits of the prefix) or the text of an
 * address with an optional prefix length, {@code 10.1.2.3/8} or {@code 2001:db8::/32}. Text is checked here, without
 * name lookups (only literal addresses: IPv4 as four decimal parts, IPv6 as hexadecimal groups), so that every
 * write path, COPY's binary form too, refuses the same values with the same message.
 */
final class InetValue {

    /** An address and its prefix length in bits. */
    record Parsed(byte[] address, int bits) {
    }

    private InetValue() {
    }

    /** The text PostgreSQL reads as this host address; a scoped IPv6 address is refused (inet has no scope). */
    static String text(InetAddress address) {
        if (address instanceof Inet6Address six && (six.getScopeId() != 0 || six.getScopedInterface() != null)) {
            throw new IllegalArgumentException("inet and cidr hold no IPv6 scope (zone); drop it, e.g. "
                    + "InetAddress.getByAddress(address.getAddress())");
        }
        return address.getHostAddress();
    }

    /**
     * The address and prefix of {@code value}, an {@link InetAddress} or its text.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static Parsed parse(Object value, boolean cidr) {
        if (value instanceof InetAddress address) {
            text(address);
            byte[] bytes = address.getAddress();
            return new Parsed(bytes, bytes.length * 8);
        }
        String s = (String) value;
        int slash = s.indexOf('/');
        String host = slash < 0 ? s : s.substring(0, slash);
        byte[] address = host.indexOf(':') >= 0 ? ipv6(host) : ipv4(host);
        int max = address.length * 8;
        int bits = max;
        if (slash >= 0) {
            String b = s.substring(slash + 1);
            if (b.isEmpty() || b.length() > 3 || !b.chars().allMatch(Character::isDigit)
                    || Integer.parseInt(b) > max) {
                throw new IllegalArgumentException("the prefix length after '/' must be 0 to " + max);
            }
            bits = Integer.parseInt(b);
        }
        if (cidr) {
            for (int i = bits; i < max; i++) {
                if ((address[i / 8] & (0x80 >> (i % 8))) != 0) {
                    throw new IllegalArgumentException("cidr holds no bits set right of the prefix; clear them, "
                            + "e.g. write the network address such as 10.0.0.0/8");
                }
            }
        }
        return new Parsed(address, bits);
    }

    /** PostgreSQL's binary {@code inet}/{@code cidr}: family, bits, is_cidr, length, address. */
    static byte[] binary(Object value, boolean cidr) {
        Parsed p = parse(value, cidr);
        return ByteBuffer.allocate(4 + p.address().length).put((byte) (p.address().length == 4 ? 2 : 3))
                .put((byte) p.bits()).put((byte) (cidr ? 1 : 0)).put((byte) p.address().length).put(p.address())
                .array();
    }

    private static byte[] ipv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            throw notLiteral();
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(p) > 255) {
                throw notLiteral();
            }
            out[i] = (byte) Integer.parseInt(p);
        }
        return out;
    }

    private static byte[] ipv6(String host) {
        if (host.isEmpty() || !host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')
                || Character.digit(host.charAt(0), 16) < 0 && host.charAt(0) != ':') {
            throw notLiteral(); // checked first: InetAddress looks anything else up by name
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw notLiteral();
        }
        byte[] bytes = address.getAddress();
        if (bytes.length == 4) { // Java reads ::ffff:a.b.c.d as IPv4; PostgreSQL keeps it IPv6
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(bytes, 0, mapped, 12, 4);
            return mapped;
        }
        return bytes;
    }

    private static IllegalArgumentException notLiteral() {
        return new IllegalArgumentException("Sluice writes an address as four decimal parts (10.1.2.3) or IPv6 "
                + "hexadecimal groups (2001:db8::1), optionally with /prefix-length");
    }

    /**
     * A {@code bit}/{@code varbit} value: its text of '0' and '1', checked against the column's length
     * ({@code typmod}: bit(n) takes exactly n bits, varbit(n) at most n; -1 for none).
     */
    static String bits(String s, boolean fixed, int typmod) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '0' && c != '1') {
                throw new IllegalArgumentException("a bit string holds only the characters 0 and 1");
            }
        }
        if (typmod >= 0 && (fixed ? s.length() != typmod : s.length() > typmod)) {
            throw new IllegalArgumentException((fixed ? "the column holds exactly " : "the column holds at most ")
                    + typmod + " bits, this value has " + s.length());
        }
        return s;
    }

    /** PostgreSQL's binary bit string: the length in bits, then the bits, first bit highest, padded with 0. */
    static byte[] bitsBinary(String s) {
        ByteBuffer out = ByteBuffer.allocate(4 + (s.length() + 7) / 8).putInt(s.length());
        byte[] bytes = new byte[(s.length() + 7) / 8];
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '1') {
                bytes[i / 8] |= (byte) (0x80 >> (i % 8));
            }
        }
        return out.put(bytes).array();
    }
}
