package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.sluice.Partition;
import dev.sluice.Query;
import dev.sluice.QueryException;
import dev.sluice.annotation.HasMany;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code query.partitions(n)} splits a query on its key into disjoint ranges of about equal row counts, whose union
 * is the query's rows; each range travels as a token. Checked against SQL (counts and sums of keys), on a key that
 * is dense in one range and sparse elsewhere, so that a split between the minimum and the maximum would put nearly
 * every row into one partition.
 */
class PartitionSpec {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int DENSE = 54_000;
    private static final int SPARSE = 6_000;

    @Table("ps_skewed")
    record Skewed(@Id Long id, int grp) {
    }

    /** Keyed by (region, id), regions of very different sizes. */
    @Table("ps_pair")
    record Pair(@Id String region, @Id Long id, String note) {
    }

    /** Never analyzed: no statistics to split by. */
    @Table("ps_fresh")
    record Fresh(@Id Long id) {
    }

    @Table("ps_empty")
    record Empty(@Id Long id) {
    }

    @Table("album")
    record Album(@Id Long id, String title, @HasMany(foreignKey = "album_id", orderBy = "id") List<Photo> photos) {
    }

    @Table("photo")
    record Photo(@Id Long id, Long albumId, String caption) {
    }

    private static R2dbcRepo repo;

    @BeforeAll
    static void tables() {
        Fixtures.gallery();
        Fixtures.db().execute(
                "CREATE TABLE ps_skewed (id bigint PRIMARY KEY, grp int NOT NULL)",
                // ids 1..54,000 dense, then 6,000 ids spread up to about 600,000,000
                "INSERT INTO ps_skewed SELECT i, i % 10 FROM generate_series(1, " + DENSE + ") i",
                "INSERT INTO ps_skewed SELECT 1000000 + i * 100000, i % 10 FROM generate_series(1, " + SPARSE + ") i",
                "ANALYZE ps_skewed",
                "CREATE TABLE ps_pair (region text, id bigint, note text NOT NULL, PRIMARY KEY (region, id))",
                "INSERT INTO ps_pair SELECT 'eu', i, 'eu ' || i FROM generate_series(1, 40000) i",
                "INSERT INTO ps_pair SELECT 'us', i * 7, 'us ' || i FROM generate_series(1, 5000) i",
                "INSERT INTO ps_pair SELECT 'ap', i * 1000, 'ap ' || i FROM generate_series(1, 1000) i",
                "ANALYZE ps_pair",
                "CREATE TABLE ps_fresh (id bigint PRIMARY KEY) WITH (autovacuum_enabled = false)",
                "INSERT INTO ps_fresh SELECT i * i FROM generate_series(1, 5000) i",
                "CREATE TABLE ps_empty (id bigint PRIMARY KEY)");
        repo = R2dbcRepo.create(Fixtures.withParam(Fixtures.db().r2dbcUrl(), "maxSize", 4));
    }

    @AfterAll
    static void close() {
        repo.close();
    }

    private static List<Long> ids(Query<?> query, java.util.function.Function<Object, Long> id) {
        List<Long> ids = new ArrayList<>();
        query.flux().map(id::apply).toIterable().forEach(ids::add);
        return ids;
    }

    private static long skewedId(Object row) {
        return ((Skewed) row).id();
    }

    /** Every row in exactly one partition, and sizes within 20% of an even share. */
    private static void assertEvenSplit(List<List<Long>> parts, long expectedCount, long expectedSum) {
        Set<Long> distinct = new HashSet<>();
        long rows = 0;
        long sum = 0;
        for (List<Long> part : parts) {
            rows += part.size();
            for (long id : part) {
                sum += id;
                distinct.add(id);
            }
        }
        assertThat(rows).as("rows over all partitions").isEqualTo(expectedCount);
        assertThat(distinct).as("distinct keys: no row in two partitions").hasSize((int) expectedCount);
        assertThat(sum).as("sum of keys").isEqualTo(expectedSum);
        double even = (double) expectedCount / parts.size();
        for (List<Long> part : parts) {
            assertThat((double) part.size()).as("partition sizes %s", parts.stream().map(List::size).toList())
                    .isBetween(even * 0.8, even * 1.2);
        }
    }

    @Test
    void aSkewedKeySplitsIntoRangesOfAboutEqualRowCountsWhoseUnionIsTheTable() {
        // the key is skewed: an even split between min and max would leave 90% of the rows in the first quarter
        assertThat(Fixtures.db().queryLong("SELECT count(*) FROM ps_skewed WHERE id < (SELECT min(id) + "
                + "(max(id) - min(id)) / 4 FROM ps_skewed)")).isGreaterThan((DENSE + SPARSE) * 8L / 10);

        List<Partition<Skewed>> partitions = repo.select(Skewed.class).partitions(4).block(TIMEOUT);
        assertThat(partitions).hasSize(4);
        List<List<Long>> parts = new ArrayList<>();
        for (Partition<Skewed> p : partitions) {
            assertThat(p.count()).isEqualTo(4);
            parts.add(ids(p.query(), PartitionSpec::skewedId));
        }
        assertThat(partitions.stream().map(Partition::index).toList()).containsExactly(0, 1, 2, 3);
        assertEvenSplit(parts, Fixtures.db().queryLong("SELECT count(*) FROM ps_skewed"),
                Fixtures.db().queryLong("SELECT sum(id) FROM ps_skewed"));
        // key order: every key of a partition is below every key of the next
        for (int i = 0; i + 1 < parts.size(); i++) {
            assertThat(parts.get(i).stream().mapToLong(Long::longValue).max().orElseThrow())
                    .isLessThan(parts.get(i + 1).stream().mapToLong(Long::longValue).min().orElseThrow());
        }
    }

    @Test
    void eachPartitionKeepsTheQuerysConditionsOnEveryTerminalOperation() {
        Query<Skewed> query = repo.select(Skewed.class).where("grp = ?", 3);
        List<Partition<Skewed>> partitions = query.partitions(3).block(TIMEOUT);
        long rows = 0;
        long counted = 0;
        long sum = 0;
        for (Partition<Skewed> p : partitions) {
            List<Long> ids = ids(p.query(), PartitionSpec::skewedId);
            rows += ids.size();
            sum += ids.stream().mapToLong(Long::longValue).sum();
            counted += p.query().count().block(TIMEOUT);
        }
        assertThat(rows).isEqualTo(Fixtures.db().queryLong("SELECT count(*) FROM ps_skewed WHERE grp = 3"));
        assertThat(counted).isEqualTo(rows);
        assertThat(sum).isEqualTo(Fixtures.db().queryLong("SELECT sum(id) FROM ps_skewed WHERE grp = 3"));
        // a key outside a partition's range is not found through it
        long last = Fixtures.db().queryLong("SELECT max(id) FROM ps_skewed WHERE grp = 3");
        assertThat(partitions.get(0).query().findById(last).blockOptional(TIMEOUT)).isEmpty();
        assertThat(partitions.get(2).query().findById(last).block(TIMEOUT)).isNotNull();
    }

    @Test
    void aCompositeKeySplitsOnRowValuesFromASample() {
        List<Partition<Pair>> partitions = repo.select(Pair.class).partitions(4).block(TIMEOUT);
        List<List<Long>> parts = new ArrayList<>();
        for (Partition<Pair> p : partitions) {
            // (region, id) as one number, unique over the table, for the sums
            parts.add(ids(p.query(), row -> ((Pair) row).id() * 3 + List.of("eu", "us", "ap")
                    .indexOf(((Pair) row).region())));
        }
        assertEvenSplit(parts, Fixtures.db().queryLong("SELECT count(*) FROM ps_pair"),
                Fixtures.db().queryLong("SELECT sum(id * 3 + CASE region WHEN 'eu' THEN 0 WHEN 'us' THEN 1 ELSE 2 END) FROM ps_pair"));
    }

    @Test
    void aTableWithoutStatisticsSplitsFromASampleOfAllItsRows() {
        assertThat(Fixtures.db().queryString("SELECT count(*) FROM pg_stats WHERE tablename = 'ps_fresh'"))
                .isEqualTo("0");
        List<Partition<Fresh>> partitions = repo.select(Fresh.class).partitions(5).block(TIMEOUT);
        List<List<Long>> parts = new ArrayList<>();
        for (Partition<Fresh> p : partitions) {
            parts.add(ids(p.query(), row -> ((Fresh) row).id()));
        }
        assertEvenSplit(parts, 5000, Fixtures.db().queryLong("SELECT sum(id) FROM ps_fresh"));
    }

    @Test
    void anEmptyTableGivesPartitionsOfWhichTheFirstHoldsEveryLaterRow() {
        List<Partition<Empty>> partitions = repo.select(Empty.class).partitions(3).block(TIMEOUT);
        assertThat(partitions).hasSize(3);
        Fixtures.db().execute("INSERT INTO ps_empty VALUES (42)");
        List<Long> counts = partitions.stream().map(p -> p.query().count().block(TIMEOUT)).toList();
        assertThat(counts).containsExactly(1L, 0L, 0L);
    }

    @Test
    void aTokenTurnsIntoTheSameRangeInAnotherRepositoryEvenAfterTheStatisticsChange() {
        List<Partition<Skewed>> partitions = repo.select(Skewed.class).partitions(4).block(TIMEOUT);
        List<String> tokens = partitions.stream().map(Partition::token).toList();
        for (String token : tokens) {
            assertThat(token).matches("[A-Za-z0-9_-]+");
        }
        Fixtures.db().execute("ANALYZE ps_skewed");
        try (R2dbcRepo worker = R2dbcRepo.create(Fixtures.db().r2dbcUrl())) {
            for (int i = 0; i < tokens.size(); i++) {
                List<Long> there = ids(worker.select(Skewed.class).partition(tokens.get(i)), PartitionSpec::skewedId);
                assertThat(there).isEqualTo(ids(partitions.get(i).query(), PartitionSpec::skewedId));
            }
        }
    }

    @Test
    void partitionsOfAQueryWithRelationsLoadThemPerPartition() {
        List<Partition<Album>> partitions = repo.select(Album.class).with("photos").partitions(3).block(TIMEOUT);
        long albums = 0;
        long photos = 0;
        for (Partition<Album> p : partitions) {
            for (Album album : p.query().flux().toIterable()) {
                albums++;
                photos += album.photos().size();
            }
        }
        assertThat(albums).isEqualTo(Fixtures.db().queryLong("SELECT count(*) FROM album"));
        assertThat(photos).isEqualTo(Fixtures.db().queryLong("SELECT count(*) FROM photo WHERE album_id IS NOT NULL"));
    }

    @Test
    void parallelMergesEveryPartitionOnce() {
        List<Long> ids = repo.select(Skewed.class).parallel(4).map(Skewed::id).collectList().block(TIMEOUT);
        assertThat(ids).hasSize(DENSE + SPARSE).doesNotHaveDuplicates();
        assertThat(ids.stream().mapToLong(Long::longValue).sum())
                .isEqualTo(Fixtures.db().queryLong("SELECT sum(id) FROM ps_skewed"));
    }

    @Test
    void aTamperedTruncatedOrForeignTokenIsRefusedSayingWhy() {
        String token = repo.select(Skewed.class).partitions(4).block(TIMEOUT).get(1).token();
        byte[] bytes = Base64.getUrlDecoder().decode(token);
        bytes[bytes.length / 2] ^= 1;
        String tampered = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        assertThatThrownBy(() -> repo.select(Skewed.class).partition(tampered))
                .isInstanceOf(QueryException.class)
                .hasMessageEndingWith("not a partition token made by query.partitions(n): its checksum does not "
                        + "match: it was changed or cut short on its way");
        assertThatThrownBy(() -> repo.select(Skewed.class).partition(token.substring(0, token.length() - 4)))
                .isInstanceOf(QueryException.class).hasMessageContaining("checksum does not match");
        assertThatThrownBy(() -> repo.select(Skewed.class).partition("not a token!"))
                .isInstanceOf(QueryException.class).hasMessageContaining("it is not URL-safe base64");
        assertThatThrownBy(() -> repo.select(Pair.class).partition(token))
                .isInstanceOf(QueryException.class)
                .hasMessage("partition(token): the token is partition 1 of 4 of table ps_skewed keyed by (id), but "
                        + "this query reads Pair (table ps_pair, key (region, id)); use it with a query of the entity "
                        + "that was split");
    }

    @Test
    void aLimitOrNoPartitionIsRefused() {
        assertThatThrownBy(() -> repo.select(Skewed.class).limit(10).partitions(2))
                .isInstanceOf(QueryException.class)
                .hasMessageStartingWith("partitions(2): this query has limit(10), which each partition would apply");
        assertThatThrownBy(() -> repo.select(Skewed.class).parallel(0))
                .isInstanceOf(QueryException.class)
                .hasMessage("parallel(0): the number of partitions must be 1 or more");
    }
}
