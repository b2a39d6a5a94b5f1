package dev.sluice.internal;

import java.util.ArrayList;
import java.util.List;

import dev.sluice.spi.RenderedSql;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Splits the rows of a query on the entity's key into ranges of about equal row counts, once, as tokens
 * ({@link PartitionToken}) that every worker uses as they are. Where the boundaries come from:
 * <ul>
 *   <li>a single-column key with a histogram in {@code pg_stats} (after {@code ANALYZE}, or autovacuum's): the
 *       histogram's bounds cut the table into buckets of equal row counts, and the boundaries are the bounds
 *       nearest to each {@code k/n}. Costs one catalog lookup; the query's conditions do not shape it.</li>
 *   <li>otherwise (a composite key, no statistics): a {@code TABLESAMPLE BERNOULLI} sample of about
 *       {@value #SAMPLE_ROWS} keys (or {@value #SAMPLE_ROWS_PER_PART} per partition if more) of the rows the conditions
 *       match, ranked on the server; the whole table when its size is unknown.</li>
 * </ul>
 * Never the key's minimum and maximum alone, whose even split is as uneven as the keys are. The first range is
 * unbounded below and the last above, so rows beyond what the statistics saw still belong to one partition, and
 * the union is every row whatever the boundaries. Fewer boundaries than asked (a table smaller than the split) leave
 * the partitions beyond them empty.
 */
final class Partitioner {

    static final int SAMPLE_ROWS = 10_000;
    static final int SAMPLE_ROWS_PER_PART = 1_000;

    private Partitioner() {
    }

    /** The {@code parts} tokens of a split of the rows of {@code model} matching {@code conditions}. */
    static Mono<List<PartitionToken>> split(RepoContext context, EntityModel<?> model, List<Condition> conditions,
                                            int parts) {
        if (parts == 1) {
            return Mono.just(tokens(model, List.of(), 1));
        }
        PostgresDialect dialect = context.dialect();
        RenderedSql statistics = PartitionSql.statistics(dialect, model.table(), model.key().get(0).column());
        return context.checked(model).then(context.executor().query(statistics, row -> new Statistics(
                        row.get(0, Double.class), row.get(1, String[].class))).next())
                .defaultIfEmpty(new Statistics(null, null))
                .flatMap(stats -> {
                    String[] histogram = stats.histogram();
                    if (model.key().size() == 1 && histogram != null && histogram.length >= 2) {
                        return Mono.just(tokens(model, fromHistogram(histogram, parts), parts));
                    }
                    double percent = percent(stats.rows(), parts);
                    return context.executor().query(PartitionSql.sampleBoundaries(dialect, model, conditions,
                                    percent, parts), row -> {
                                List<String> key = new ArrayList<>();
                                for (int i = 0; i < model.key().size(); i++) {
                                    key.add(row.get(i, String.class));
                                }
                                return key;
                            }).collectList()
                            .map(boundaries -> tokens(model, boundaries, parts));
                });
    }

    private record Statistics(@Nullable Double rows, String @Nullable [] histogram) {
    }

    /** The sample's size in percent of the table: all of it when its size is unknown. */
    static double percent(@Nullable Double rows, int parts) {
        double wanted = Math.max(SAMPLE_ROWS, (double) SAMPLE_ROWS_PER_PART * parts);
        if (rows == null || rows <= 0) {
            return 100;
        }
        return Math.min(100, 100 * wanted / rows);
    }

    /**
     * Boundaries {@code 1..parts-1} from a histogram of {@code m + 1} bounds, {@code m} buckets of equal row counts:
     * bound {@code round(k * m / parts)}, distinct and rising.
     */
    static List<List<String>> fromHistogram(String[] bounds, int parts) {
        int buckets = bounds.length - 1;
        List<List<String>> boundaries = new ArrayList<>();
        for (int k = 1; k < parts; k++) {
            int at = (int) Math.round((double) k * buckets / parts);
            if (at > 0 && at < bounds.length) {
                boundaries.add(List.of(bounds[at]));
            }
        }
        return boundaries;
    }

    /**
     * The tokens of {@code parts} ranges cut at {@code boundaries} (rising, fewer than {@code parts}): range
     * {@code i} runs from boundary {@code i} to boundary {@code i + 1}; the first is open below, the last above.
     * Repeated boundaries make empty ranges; missing ones, ranges that match nothing.
     */
    static List<PartitionToken> tokens(EntityModel<?> model, List<List<String>> boundaries, int parts) {
        List<String> key = model.key().stream().map(Property::column).toList();
        List<PartitionToken> tokens = new ArrayList<>(parts);
        for (int i = 0; i < parts; i++) {
            if (i > boundaries.size()) {
                tokens.add(new PartitionToken(model.table(), key, i, parts, List.of(), List.of(), true));
                continue;
            }
            List<String> lower = i == 0 ? List.of() : boundaries.get(i - 1);
            List<String> upper = i == boundaries.size() ? List.of() : boundaries.get(i);
            tokens.add(new PartitionToken(model.table(), key, i, parts, lower, upper, false));
        }
        return tokens;
    }

}
