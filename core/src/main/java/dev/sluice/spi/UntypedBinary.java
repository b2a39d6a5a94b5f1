package dev.sluice.spi;

import java.util.Objects;

/**
 * A value already in PostgreSQL's binary form, to bind as it is, in binary, with no type of its own (OID 0): the
 * statement gives the parameter its type with a cast ({@code $1::int8[]}), and PostgreSQL reads the bytes with that
 * type's binary input. How Sluice sends a batch of inserts as one array per column. Only sent to a session whose
 * {@link Session#bindsBinary()} said yes; any other adapter must fail with a message that says so, never send it
 * otherwise.
 *
 * @param bytes the value in the binary form of the type the statement casts it to; not copied
 */
public record UntypedBinary(byte[] bytes) {
    public UntypedBinary {
        Objects.requireNonNull(bytes, "bytes");
    }

    @Override
    public String toString() {
        return "UntypedBinary[" + bytes.length + " bytes]";
    }
}
