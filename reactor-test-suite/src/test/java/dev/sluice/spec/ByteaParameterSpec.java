package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.testkit.PgWireRelay;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * {@code byte[]} parameters travel in binary (Sluice's r2dbc-postgresql extension), not as the driver's hex text:
 * half the bytes on the wire, the same values stored; and without the extension the values are still right.
 */
class ByteaParameterSpec {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final int SIZE = 256 * 1024;

    @Table("blob_row")
    record BlobRow(@Id Long id, byte[] data, byte[] note) {
    }

    @BeforeAll
    static void table() {
        Fixtures.db().execute("CREATE TABLE IF NOT EXISTS blob_row (id bigint PRIMARY KEY, data bytea NOT NULL, "
                + "note bytea)");
    }

    @BeforeEach
    void empty() {
        Fixtures.db().execute("TRUNCATE blob_row");
    }

    /** Every byte value, over and over, to {@code size} bytes. */
    static byte[] allByteValues(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 7 + i / 256);
        }
        return bytes;
    }

    /** Writes rows 1 (large) and 2 (empty, and a null) through {@code url}; returns the bytes sent to the server. */
    private static long writeAndCheck(String extraUrlOption, long firstId) {
        PgWireRelay relay = Fixtures.relay();
        String url = Fixtures.db().r2dbcUrl("127.0.0.1", relay.port());
        if (!extraUrlOption.isEmpty()) {
            url = Fixtures.withParam(url, extraUrlOption.split("=")[0], extraUrlOption.split("=")[1]);
        }
        byte[] large = allByteValues(SIZE);
        try (R2dbcRepo repo = R2dbcRepo.create(url)) {
            repo.select(BlobRow.class).count().block(TIMEOUT); // the first-use table check, out of the count
            relay.reset();
            List<BlobRow> stored = repo.insertAll(Flux.just(new BlobRow(firstId, large, new byte[] {0, -1}),
                    new BlobRow(firstId + 1, new byte[0], null))).collectList().block(TIMEOUT);
            long sent = relay.bytesToServer();
            assertThat(stored).hasSize(2);
            assertThat(stored.get(0).data()).isEqualTo(large);
            assertThat(stored.get(0).note()).containsExactly(0, -1);
            assertThat(stored.get(1).data()).isEmpty();
            assertThat(stored.get(1).note()).isNull();
            // the server's own reading of what was stored, and a bytea bound in a WHERE clause
            assertThat(Fixtures.queryString("SELECT md5(data) FROM blob_row WHERE id = " + firstId))
                    .isEqualTo(Fixtures.queryString("SELECT md5(decode('" + HexFormat.of().formatHex(large)
                            + "', 'hex'))"));
            assertThat(repo.select(BlobRow.class).where("data = ?", (Object) large).flux().map(BlobRow::id)
                    .collectList().block(TIMEOUT)).containsExactly(firstId);
            return sent;
        } finally {
            relay.close();
        }
    }

    @Test
    void byteArraysGoInBinaryAndAreStoredAsGiven() {
        long sent = writeAndCheck("", 1);
        // binary: the 256 KiB value once, plus a statement of a few hundred bytes; hex would be over 512 KiB
        assertThat(sent).isBetween((long) SIZE, SIZE + 4096L);
    }

    @Test
    void withoutTheExtensionTheDriversHexGivesTheSameValues() {
        long sent = writeAndCheck("autodetectExtensions=false", 11);
        assertThat(sent).isGreaterThan(2L * SIZE);
    }
}
