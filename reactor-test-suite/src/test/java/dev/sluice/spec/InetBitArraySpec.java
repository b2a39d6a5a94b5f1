package dev.sluice.spec;

import static dev.sluice.spec.InetBitSpec.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.sluice.WriteException;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * Arrays of {@code inet} (as {@code InetAddress[]} or {@code String[]}), {@code cidr}, {@code bit(n)} and
 * {@code varbit} (as {@code String[]}), NULL elements too: every write path (insert, insertAll, upsert, update,
 * updateAll, copyIn) stores what PostgreSQL's own text output then gives ({@code col::text}); reads on binary and
 * text transfer give the arrays written in SQL; an address array or list is a where argument.
 */
class InetBitArraySpec {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Table("net_arr")
    record Nets(@Id Long id, InetAddress[] hosts, String[] hostTexts, String[] networks, String[] flags,
                String[] bits) {
    }

    @BeforeAll
    static void table() {
        Fixtures.db().execute("CREATE TABLE IF NOT EXISTS net_arr (id bigint PRIMARY KEY, hosts inet[], "
                + "host_texts inet[], networks cidr[], flags bit(3)[], bits varbit[])");
    }

    @BeforeEach
    void empty() {
        Fixtures.db().execute("TRUNCATE net_arr");
    }

    static final String ROW = "concat_ws(' | ', id" + Stream.of("hosts", "host_texts", "networks", "flags", "bits")
            .map(c -> ", coalesce(" + c + "::text, 'NULL')").collect(Collectors.joining()) + ")";

    static String stored() {
        return Fixtures.queryString("SELECT coalesce(string_agg(" + ROW + ", E'\\n' ORDER BY id), '') FROM net_arr");
    }

    static InetAddress[] hosts(String... literals) {
        return Arrays.stream(literals).map(l -> l == null ? null : ip(l)).toArray(InetAddress[]::new);
    }

    static Nets nets(long id, String host) {
        return new Nets(id, hosts(host, null, "2001:db8::" + id), new String[] {"10.0.0." + id + "/8", null},
                new String[] {"10." + id + ".0.0/16", "2001:db8::/32"}, new String[] {"101", null, "00" + (id % 2)},
                new String[] {"", "1", "0110"});
    }

    static String line(long id, String host) {
        return id + " | {" + host + ",NULL,2001:db8::" + id + "} | {10.0.0." + id + "/8,NULL} | {10." + id
                + ".0.0/16,2001:db8::/32} | {101,NULL,00" + (id % 2) + "} | {\"\",1,0110}";
    }

    @Test
    void everyWritePathStoresWhatPostgresqlPrints() {
        try (R2dbcRepo repo = Fixtures.repo()) {
            repo.insert(nets(1, "10.1.2.3")).block(TIMEOUT);
            repo.insertAll(Flux.just(nets(2, "::1"), nets(3, "192.168.0.3"))).blockLast(TIMEOUT);
            repo.upsert(Nets.class).onConflict("id").doUpdate().one(nets(3, "fe80::3")).block(TIMEOUT);
            repo.update(nets(2, "255.255.255.255")).block(TIMEOUT);
            repo.copyIn(Nets.class, Flux.just(nets(4, "0.0.0.0"), new Nets(5L, null, null, null, null, null),
                    new Nets(6L, new InetAddress[0], new String[0], new String[0], new String[0], new String[0])))
                    .block(TIMEOUT);
            repo.insert(nets(7, "1.1.1.1")).block(TIMEOUT);
            repo.updateAll(Flux.just(nets(7, "7.7.7.7"), new Nets(5L, null, null, null, null, null)))
                    .blockLast(TIMEOUT);
        }
        assertThat(stored()).isEqualTo(String.join("\n", line(1, "10.1.2.3"), line(2, "255.255.255.255"),
                line(3, "fe80::3"), line(4, "0.0.0.0"), "5 | NULL | NULL | NULL | NULL | NULL",
                "6 | {} | {} | {} | {} | {}", line(7, "7.7.7.7")));
    }

    @Test
    void readsGiveTheArraysWrittenInSqlOnBinaryAndTextTransfer() {
        Fixtures.db().execute("INSERT INTO net_arr VALUES "
                + "(1, '{10.1.2.3,NULL,2001:db8:0:0:0:0:0:1}', '{192.168.0.1/24,::1}', '{10.0.0.0/8,::/0}', "
                + "'{101,NULL}', '{\"\",1,11111111}'), (2, NULL, NULL, NULL, NULL, NULL), (3, '{}', '{}', '{}', '{}', "
                + "'{}')");
        try (R2dbcRepo repo = Fixtures.repo()) {
            for (List<Nets> rows : List.of(repo.scan(Nets.class).collectList().block(TIMEOUT),
                    // a statement without parameters travels in text
                    repo.query(Nets.class, "select * from net_arr order by id").collectList().block(TIMEOUT))) {
                Nets first = rows.get(0);
                assertThat(first.hosts()).containsExactly(ip("10.1.2.3"), null, ip("2001:db8::1"));
                assertThat(first.hostTexts()).containsExactly("192.168.0.1/24", "::1");
                assertThat(first.networks()).containsExactly("10.0.0.0/8", "::/0");
                assertThat(first.flags()).containsExactly("101", null);
                assertThat(first.bits()).containsExactly("", "1", "11111111");
                assertThat(rows.get(1)).isEqualTo(new Nets(2L, null, null, null, null, null));
                assertThat(rows.get(2).hosts()).isEmpty();
                assertThat(rows.get(2).flags()).isEmpty();
            }
            // where arguments: an address array, a list of addresses, an address against any(array)
            assertThat(ids(repo, "hosts = ?", (Object) hosts("10.1.2.3", null, "2001:db8::1"))).containsExactly(1L);
            assertThat(ids(repo, "hosts && ?", List.of(ip("2001:db8::1"), ip("10.9.9.9")))).containsExactly(1L);
            assertThat(ids(repo, "? = any(hosts)", ip("10.1.2.3"))).containsExactly(1L);
        }
    }

    private static List<Long> ids(R2dbcRepo repo, String where, Object value) {
        return repo.select(Nets.class).where(where, value).flux().map(Nets::id).collectList().block(TIMEOUT);
    }

    @Test
    void anElementTheColumnCannotHoldIsRefusedNamingIt() {
        try (R2dbcRepo repo = Fixtures.repo()) {
            Nets bad = new Nets(1L, null, null, null, new String[] {"101", "10"}, null);
            for (Runnable write : List.<Runnable>of(() -> repo.insert(bad).block(TIMEOUT),
                    () -> repo.copyIn(Nets.class, Flux.just(bad)).block(TIMEOUT))) {
                assertThat(catchThrowable(write::run)).isInstanceOf(WriteException.class).hasMessageContaining(
                        "component flags: '10' (element 2) does not fit column flags (bit(3)[]) exactly: the "
                                + "column holds exactly 3 bits, this value has 2");
            }
        }
        assertThat(stored()).isEmpty();
    }
}
