package dev.sluice.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import dev.sluice.QueryException;
import org.jspecify.annotations.Nullable;

/**
 * A validated {@code ORDER BY}: every term names a mapped column, so nothing the user writes reaches the SQL text
 * except through the entity model.
 */
record OrderBy(List<Term> terms) {

    record Term(Property property, boolean descending) {
    }

    OrderBy {
        terms = List.copyOf(terms);
    }

    /** The primary key, ascending: the default order. */
    static OrderBy byKey(EntityModel<?> model) {
        return new OrderBy(model.key().stream().map(p -> new Term(p, false)).toList());
    }

    static OrderBy parse(EntityModel<?> model, String order) {
        String what = "orderBy(\"" + order + "\")";
        List<Term> terms = new ArrayList<>();
        for (String raw : order.split(",", -1)) {
            String[] words = raw.trim().split("\\s+");
            if (words.length == 0 || words[0].isEmpty()) {
                throw new QueryException(what + ": empty term; write column names separated by commas, "
                        + "each optionally followed by asc or desc, e.g. \"taken_at desc, id\"");
            }
            if (words.length > 2) {
                throw new QueryException(what + ": cannot read '" + raw.trim() + "'; write a column name optionally "
                        + "followed by asc or desc");
            }
            Property property = model.property(words[0]).orElseThrow(() -> new QueryException(what + ": "
                    + model.name() + " has no column or component named '" + words[0] + "'; its columns are "
                    + model.columnList()));
            boolean descending = descending(words, what);
            Property p = property;
            if (terms.stream().anyMatch(t -> t.property() == p)) {
                throw new QueryException(what + ": column " + p.column() + " appears twice");
            }
            terms.add(new Term(property, descending));
        }
        return new OrderBy(terms);
    }

    /**
     * This order made unique, so that a row's values of its terms are a keyset position: the entity's key columns
     * it does not hold already are appended, in the direction of its last term (so {@code taken_at desc} pages as
     * {@code taken_at desc, id desc}, which one index scan serves, backwards).
     */
    OrderBy unique(EntityModel<?> model) {
        List<Term> all = new ArrayList<>(terms);
        boolean descending = terms.get(terms.size() - 1).descending();
        for (Property key : model.key()) {
            if (terms.stream().noneMatch(t -> t.property() == key)) {
                all.add(new Term(key, descending));
            }
        }
        return new OrderBy(all);
    }

    boolean descending() {
        return terms.get(0).descending();
    }

    String sql(PostgresDialect dialect) {
        return sql(dialect, null);
    }

    /** The terms, each column qualified by {@code alias} when it is not null. */
    String sql(PostgresDialect dialect, @Nullable String alias) {
        String prefix = alias == null ? "" : alias + ".";
        return terms.stream()
                .map(t -> prefix + dialect.identifier(t.property().column()) + (t.descending() ? " DESC" : ""))
                .collect(Collectors.joining(", "));
    }

    /**
     * Whether a term's words ({@code column} or {@code column asc|desc}) ask for a descending order.
     *
     * @throws QueryException if the second word is not a direction
     */
    static boolean descending(String[] words, String what) {
        if (words.length < 2) {
            return false;
        }
        String direction = words[1].toLowerCase(Locale.ROOT);
        if (direction.equals("desc")) {
            return true;
        }
        if (!direction.equals("asc")) {
            throw new QueryException(what + ": '" + words[1] + "' is not a direction; use asc or desc");
        }
        return false;
    }
}
