package dev.sluice.internal;

import java.util.List;

import dev.sluice.spi.RenderedSql;

/**
 * Renders the child batch query of one relation for one window of parents: all related rows of the window's keys
 * in one statement, ordered by owner and then the relation's order, unless the client orders each owner's rows
 * itself ({@link ChildOrder}: an order on whole numbers), when the statement has no {@code ORDER BY}. Pure, like
 * {@link SelectSql}.
 * <ul>
 *   <li>{@code @HasMany}: {@code SELECT ... FROM photo WHERE album_id = ANY($1) ORDER BY album_id, caption}; ordered
 *       by {@code id}, a {@code long}: {@code SELECT ... FROM photo WHERE album_id = ANY($1)}</li>
 *   <li>{@code @BelongsTo}: {@code SELECT ... FROM album WHERE id = ANY($1)}</li>
 *   <li>{@code @ManyToMany}: {@code SELECT t..., j.photo_id FROM photo_tag j JOIN tag t ON t.id = j.tag_id
 *       WHERE j.photo_id = ANY($1) ORDER BY j.photo_id, t.name}</li>
 * </ul>
 * Composite keys match as {@code (a, b) IN (SELECT * FROM unnest($1, $2))} ({@link SelectSql#anyKey}).
 */
final class RelationSql {

    private final PostgresDialect dialect;

    RelationSql(PostgresDialect dialect) {
        this.dialect = dialect;
    }

    /**
     * The related rows of the parents whose keys {@code keyArrays} holds: one array per key column, as
     * {@link SelectSql#anyKey} binds them.
     */
    RenderedSql children(LoadPlan.Branch branch, List<Object> keyArrays) {
        Relation r = branch.relation();
        LoadPlan<?> child = branch.child();
        EntityModel<?> target = child.model();
        String table = dialect.identifier(target.table());
        String select = "SELECT " + SelectSql.selectList(dialect, child);
        List<String> targetKey = target.key().stream().map(Property::column).toList();
        String sql = switch (r.kind()) {
            case HAS_MANY -> select + " FROM " + table + " WHERE " + SelectSql.anyKey(dialect, r.foreignKey(), "")
                    + (branch.clientOrder() != null ? "" : " ORDER BY "
                    + SelectSql.columnList(dialect, r.foreignKey(), "") + ", " + branch.order().sql(dialect));
            case BELONGS_TO -> select + " FROM " + table + " WHERE " + SelectSql.anyKey(dialect, targetKey, "");
            case MANY_TO_MANY -> {
                StringBuilder on = new StringBuilder();
                for (int i = 0; i < targetKey.size(); i++) {
                    on.append(i == 0 ? "" : " AND ").append("t.").append(dialect.identifier(targetKey.get(i)))
                            .append(" = j.").append(dialect.identifier(r.inverseJoinColumn().get(i)));
                }
                yield select + " FROM " + dialect.identifier(r.joinTable()) + " j JOIN " + table + " t ON " + on
                        + " WHERE " + SelectSql.anyKey(dialect, r.joinColumn(), "j.")
                        + (branch.clientOrder() != null ? "" : " ORDER BY "
                        + SelectSql.columnList(dialect, r.joinColumn(), "j.") + ", " + branch.order().sql(dialect, "t"));
            }
        };
        return RenderedSql.of(sql, keyArrays);
    }
}
