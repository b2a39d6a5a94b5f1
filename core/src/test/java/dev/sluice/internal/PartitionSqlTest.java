package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import dev.sluice.QueryException;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.spi.RenderedSql;
import org.junit.jupiter.api.Test;

/** The statements and conditions of a split, by exact text, and the token's round trip. */
class PartitionSqlTest {

    @Table("picture")
    record Picture(@Id Long id, String name) {
    }

    @Table("order_line")
    record Line(@Id String region, @Id Long orderId, String item) {
    }

    private static final PostgresDialect PG = PostgresDialect.INSTANCE;

    @Test
    void statisticsReadTheRowEstimateAndTheKeyColumnsHistogramAsText() {
        RenderedSql sql = PartitionSql.statistics(PG, "picture", "id");
        assertThat(sql.sql()).isEqualTo("SELECT c.reltuples::float8, (SELECT s.histogram_bounds::text::text[]"
                + " FROM pg_catalog.pg_stats s WHERE s.schemaname = n.nspname AND s.tablename = c.relname"
                + " AND s.attname = $2 ORDER BY s.inherited DESC LIMIT 1)"
                + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.oid = to_regclass($1)");
        assertThat(sql.bindings()).containsExactly("picture", "id");
    }

    @Test
    void aSampleIsRankedOnTheServerAndOnlyTheBoundariesComeBack() {
        RenderedSql sql = PartitionSql.sampleBoundaries(PG, EntityModel.of(Line.class),
                List.of(Condition.of("item like ?", new Object[] {"a%"})), 2.5, 4);
        assertThat(sql.sql()).isEqualTo("SELECT k.region::text, k.order_id::text FROM (SELECT region, order_id,"
                + " row_number() OVER (ORDER BY region, order_id) - 1 AS sluice_rank, count(*) OVER () AS sluice_count"
                + " FROM order_line TABLESAMPLE BERNOULLI ($1) WHERE (item like $3)) k"
                + " WHERE k.sluice_rank > 0 AND (k.sluice_rank * $2) / k.sluice_count"
                + " > ((k.sluice_rank - 1) * $2) / k.sluice_count ORDER BY k.sluice_rank");
        assertThat(sql.bindings()).containsExactly(2.5, 4L, "a%");
    }

    @Test
    void aRangeIsARowComparisonOnEachSideThatIsBounded() {
        assertThat(PartitionSql.range(PG, EntityModel.of(Picture.class), true, true)).isEqualTo("id >= ? AND id < ?");
        assertThat(PartitionSql.range(PG, EntityModel.of(Line.class), false, true))
                .isEqualTo("(region, order_id) < (?, ?)");
        assertThat(PartitionSql.range(PG, EntityModel.of(Line.class), true, false))
                .isEqualTo("(region, order_id) >= (?, ?)");
    }

    @Test
    void boundariesComeFromTheHistogramBucketsNearestToEachShare() {
        String[] bounds = new String[101];
        for (int i = 0; i <= 100; i++) {
            bounds[i] = Integer.toString(i * 10);
        }
        assertThat(Partitioner.fromHistogram(bounds, 4)).containsExactly(List.of("250"), List.of("500"),
                List.of("750"));
        assertThat(Partitioner.fromHistogram(new String[] {"1", "9"}, 3)).containsExactly(List.of("9"));
    }

    @Test
    void rangesRunBetweenBoundariesOpenAtBothEndsAndMissingOnesAreEmpty() {
        List<PartitionToken> tokens = Partitioner.tokens(EntityModel.of(Picture.class),
                List.of(List.of("10")), 3);
        assertThat(tokens).containsExactly(
                new PartitionToken("picture", List.of("id"), 0, 3, List.of(), List.of("10"), false),
                new PartitionToken("picture", List.of("id"), 1, 3, List.of("10"), List.of(), false),
                new PartitionToken("picture", List.of("id"), 2, 3, List.of(), List.of(), true));
    }

    @Test
    void aSampleCoversTheWholeTableWhenItsSizeIsUnknown() {
        assertThat(Partitioner.percent(null, 4)).isEqualTo(100);
        assertThat(Partitioner.percent(-1.0, 4)).isEqualTo(100);
        assertThat(Partitioner.percent(1_000_000.0, 4)).isEqualTo(1.0);
        assertThat(Partitioner.percent(1_000_000.0, 50)).isEqualTo(5.0);
        assertThat(Partitioner.percent(5_000.0, 4)).isEqualTo(100);
    }

    @Test
    void aTokenRoundTripsWithUnicodeAndQuotesAndIsUrlSafe() {
        PartitionToken token = new PartitionToken("order_line", List.of("region", "order_id"), 2, 5,
                List.of("ä \"x\",{}", "17"), List.of("zz", "-3"), false);
        String text = token.encode();
        assertThat(text).matches("[A-Za-z0-9_-]+");
        assertThat(PartitionToken.decode(text)).isEqualTo(token);
    }

    @Test
    void aTokenWithAnotherVersionSaysWhichOneThisSluiceReads() {
        byte[] bytes = java.util.Base64.getUrlDecoder().decode(new PartitionToken("t", List.of("id"), 0, 1, List.of(),
                List.of(), false).encode());
        bytes[2] = 9;
        String other = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        assertThatThrownBy(() -> PartitionToken.decode(other)).isInstanceOf(QueryException.class)
                .hasMessageEndingWith("it has version 9, and this Sluice reads version 1; make the split with the "
                        + "Sluice the workers run");
    }
}
