package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

import dev.sluice.MappingException;
import dev.sluice.WriteException;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * {@code inet} as {@link InetAddress} (a host) or String (with a prefix length), {@code cidr} as String,
 * {@code bit(n)} and {@code varbit(n)} as String of 0s and 1s: every write path stores what SQL reads back as the
 * expected text, reads (binary, and text through a parameterless statement) give what PostgreSQL's output function
 * gives (format('%s', col): inet's {@code ::text} always appends the prefix length),
 * IPv4 and IPv6, NULL too.
 */
class InetBitSpec {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Table("net_row")
    record Net(@Id Long id, InetAddress host, String network, String flags, String bits, String hostText) {
    }

    @BeforeAll
    static void table() {
        Fixtures.db().execute("CREATE TABLE IF NOT EXISTS net_row (id bigint PRIMARY KEY, host inet, network cidr, "
                + "flags bit(4), bits varbit(8), host_text inet)");
    }

    @BeforeEach
    void empty() {
        Fixtures.db().execute("TRUNCATE net_row");
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** An IPv4-mapped IPv6 address, which InetAddress.getByName would make an IPv4 one. */
    static InetAddress mapped(int a, int b, int c, int d) {
        try {
            return java.net.Inet6Address.getByAddress(null, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff,
                    (byte) 0xff, (byte) a, (byte) b, (byte) c, (byte) d}, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** A row as PostgreSQL's output functions write it (as format's %s does), NULL as NULL. */
    static final String ROW = "concat_ws(' | ', id" + java.util.stream.Stream.of("host", "network", "flags", "bits",
            "host_text").map(c -> ", CASE WHEN " + c + " IS NULL THEN 'NULL' ELSE format('%s', " + c + ") END")
            .collect(java.util.stream.Collectors.joining()) + ")";

    static String stored() {
        return Fixtures.queryString("SELECT coalesce(string_agg(" + ROW + ", E'\\n' ORDER BY id), '') FROM net_row");
    }

    @Test
    void everyWritePathStoresWhatSqlReadsBack() {
        try (R2dbcRepo repo = Fixtures.repo()) {
            repo.insert(new Net(1L, ip("10.1.2.3"), "10.0.0.0/8", "1010", "1", "192.168.0.1/24")).block(TIMEOUT);
            repo.insertAll(Flux.just(new Net(2L, ip("2001:db8::1"), "2001:db8::/32", "0000", "", "::1"),
                    new Net(3L, ip("::"), "0.0.0.0/0", "1111", "11111111", "fe80::1/64"))).blockLast(TIMEOUT);
            repo.upsert(Net.class).onConflict("id").doUpdate()
                    .one(new Net(3L, ip("255.255.255.255"), "::ffff:0.0.0.0/96", "0001", "0101", "1.2.3.4"))
                    .block(TIMEOUT);
            repo.update(new Net(2L, ip("2001:db8:0:0:1:0:0:1"), "2001:db8:1::/48", "1100", "00", "::ffff:1.2.3.4"))
                    .block(TIMEOUT);
            repo.copyIn(Net.class, Flux.just(new Net(4L, ip("fe80::abcd:0:0:1"), "172.16.0.0/12", "0110", "1000001",
                    "2001:db8::8:800:200c:417a/64"), new Net(5L, ip("0.0.0.0"), "::/0", "0000", "", "10.0.0.1"),
                    new Net(6L, null, null, null, null, null), new Net(7L, null, null, null, null, null)))
                    .block(TIMEOUT);
            repo.updateAll(Flux.just(new Net(7L, ip("192.0.2.7"), "192.0.2.0/24", "0111", "0111", "2001:db8::7/120")))
                    .blockLast(TIMEOUT);
        }
        assertThat(stored()).isEqualTo(String.join("\n",
                "1 | 10.1.2.3 | 10.0.0.0/8 | 1010 | 1 | 192.168.0.1/24",
                "2 | 2001:db8::1:0:0:1 | 2001:db8:1::/48 | 1100 | 00 | ::ffff:1.2.3.4",
                "3 | 255.255.255.255 | ::ffff:0.0.0.0/96 | 0001 | 0101 | 1.2.3.4",
                "4 | fe80::abcd:0:0:1 | 172.16.0.0/12 | 0110 | 1000001 | 2001:db8::8:800:200c:417a/64",
                "5 | 0.0.0.0 | ::/0 | 0000 |  | 10.0.0.1",
                "6 | NULL | NULL | NULL | NULL | NULL",
                "7 | 192.0.2.7 | 192.0.2.0/24 | 0111 | 0111 | 2001:db8::7/120"));
    }

    @Test
    void readsGiveWhatSqlTextGivesOnBinaryAndTextTransfer() {
        Fixtures.db().execute("INSERT INTO net_row VALUES "
                + "(1, '10.1.2.3', '10.1.2.0/24', B'1010', B'101', '192.168.0.1/24'), "
                + "(2, '2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::/32', B'0001', B'', '::1'), "
                + "(3, '::ffff:1.2.3.4', '::/0', B'1111', B'11111111', '1:0:0:2:0:0:0:3/128'), "
                + "(4, '::', '0.0.0.0/0', B'0000', B'0', '1:0:0:2:0:0:3:4/127'), "
                + "(5, NULL, NULL, NULL, NULL, NULL)");
        String sqlText = Fixtures.queryString("SELECT string_agg(" + ROW + ", E'\\n' ORDER BY id) FROM net_row");
        List<InetAddress> hosts = java.util.Arrays.asList(ip("10.1.2.3"), ip("2001:db8::1"), mapped(1, 2, 3, 4),
                ip("::"), null);
        try (R2dbcRepo repo = Fixtures.repo()) {
            for (List<Net> rows : List.of(repo.scan(Net.class).collectList().block(TIMEOUT),
                    // a statement without parameters travels in text
                    repo.query(Net.class, "select * from net_row order by id").collectList().block(TIMEOUT))) {
                assertThat(rows.stream().map(n -> n.host()).toList()).isEqualTo(hosts);
                assertThat(String.join("\n", rows.stream().map(n -> String.join(" | ", String.valueOf(n.id()),
                        n.host() == null ? "NULL" : Fixtures.queryString("SELECT format('%s', '"
                                + n.host().getHostAddress() + "'::inet)"), String.valueOf(n.network()).replace("null", "NULL"),
                        String.valueOf(n.flags()).replace("null", "NULL"), String.valueOf(n.bits())
                                .replace("null", "NULL"), String.valueOf(n.hostText()).replace("null", "NULL")))
                        .toList())).isEqualTo(sqlText);
            }
            assertThat(repo.select(Net.class).where("host = ?", ip("2001:db8::1")).flux().map(Net::id)
                    .collectList().block(TIMEOUT)).containsExactly(2L);
            assertThat(repo.select(Net.class).where("host << ?::cidr", "10.0.0.0/8").where("flags = ?::bit(4)",
                    "1010").flux().map(Net::id).collectList().block(TIMEOUT)).containsExactly(1L);
            // keyset pages of one row bind the last address read
            try (R2dbcRepo pages = R2dbcRepo.builder(Fixtures.db().r2dbcUrl()).minPageSize(1).maxPageSize(1)
                    .build()) {
                assertThat(pages.select(Net.class).where("host is not null").orderBy("host").flux().limitRate(1)
                        .map(n -> String.valueOf(n.id())).collectList().map(ids -> String.join(",", ids))
                        .block(TIMEOUT)).isEqualTo(Fixtures.queryString("SELECT string_agg(id::text, ',' ORDER BY "
                        + "host, id) FROM net_row WHERE host IS NOT NULL"));
            }
        }
    }

    @Table("net_code")
    record Code(@Id Long id, String code, String flags) {
    }

    /** updateAll casts each value to its column's type: char and bit without a length would mean one of them. */
    @Test
    void updateAllKeepsTheLengthsOfCharAndBitValues() {
        Fixtures.db().execute("CREATE TABLE IF NOT EXISTS net_code (id bigint PRIMARY KEY, code char(3), "
                + "flags bit(4))");
        Fixtures.db().execute("TRUNCATE net_code");
        Fixtures.db().execute("INSERT INTO net_code VALUES (1, 'aaa', B'0000')");
        try (R2dbcRepo repo = Fixtures.repo()) {
            repo.updateAll(Flux.just(new Code(1L, "xyz", "0111"))).blockLast(TIMEOUT);
        }
        assertThat(Fixtures.queryString("SELECT code || ' ' || format('%s', flags) FROM net_code"))
                .isEqualTo("xyz 0111");
    }

    @Test
    void aNetworkIsNoInetAddress() {
        Fixtures.db().execute("INSERT INTO net_row (id, host) VALUES (1, '10.1.2.3/8')");
        try (R2dbcRepo repo = Fixtures.repo()) {
            Throwable e = catchThrowable(() -> repo.findById(Net.class, 1L).block(TIMEOUT));
            assertThat(e).isInstanceOf(MappingException.class).hasMessageContaining("10.1.2.3/8")
                    .hasMessageContaining("declare the component as String, which keeps the prefix length");
        }
    }

    @Test
    void valuesTheColumnsCannotHoldAreRefusedOnEveryPath() {
        try (R2dbcRepo repo = Fixtures.repo()) {
            Net badBits = new Net(1L, ip("10.0.0.1"), "10.0.0.0/8", "101", "1", "10.0.0.1");
            Net hostBits = new Net(1L, ip("10.0.0.1"), "10.0.0.1/8", "1010", "1", "10.0.0.1");
            Net notBits = new Net(1L, ip("10.0.0.1"), "10.0.0.0/8", "1010", "12", "10.0.0.1");
            Net name = new Net(1L, ip("10.0.0.1"), "10.0.0.0/8", "1010", "1", "localhost");
            for (Net bad : List.of(badBits, hostBits, notBits, name)) {
                for (Runnable write : List.<Runnable>of(() -> repo.insert(bad).block(TIMEOUT),
                        () -> repo.insertAll(Flux.just(bad)).blockLast(TIMEOUT),
                        () -> repo.copyIn(Net.class, Flux.just(bad)).block(TIMEOUT))) {
                    Throwable e = catchThrowable(write::run);
                    assertThat(e).isInstanceOf(WriteException.class).hasMessageContaining("does not fit column");
                }
            }
            assertThat(catchThrowable(() -> repo.insert(badBits).block(TIMEOUT))).hasMessageContaining(
                    "does not fit column flags (bit(4)) exactly: the column holds exactly 4 bits, this value has 3");
            assertThat(catchThrowable(() -> repo.insert(hostBits).block(TIMEOUT))).hasMessageContaining(
                    "cidr holds no bits set right of the prefix");
        }
        assertThat(stored()).isEmpty();
    }
}
