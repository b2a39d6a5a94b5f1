package dev.sluice.spi;

import java.util.Objects;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.util.context.ContextView;

/**
 * Told of a repository's streams and statements, for metrics and traces; the R2DBC adapter implements it on
 * Micrometer's Observation API. A repository without one ({@link #NONE}) skips every call: no stream is wrapped and
 * no statement is tagged.
 *
 * <p>With an observer, Sluice calls {@link #stream} once per stream of rows, and runs each statement with a
 * {@link Statement} in its subscriber's Reactor context ({@link #statement(ContextView)}), which says what the
 * statement is for; an adapter reads it where it borrows a connection and runs the statement. A statement runs in
 * the Reactor context of the stream it belongs to, on whatever thread and connection it runs, so an observer that
 * puts the stream's observation in that context finds it as the parent of the stream's statements.
 */
public interface Observer {

    /** No observer: Sluice wraps nothing and tags nothing. */
    Observer NONE = new Observer() {
        @Override
        public <T> Flux<T> stream(Stream stream, Flux<T> rows) {
            return rows;
        }
    };

    /**
     * Wraps the rows of one stream, before it is subscribed: each subscription of the returned flux is one stream
     * (started when subscribed, ended by completion, error or cancel). Its statements run in its subscriber's context.
     */
    <T> Flux<T> stream(Stream stream, Flux<T> rows);

    /**
     * Told that the stream whose statements run in {@code context} ran a statement again (a page re-run after a lost
     * connection). The default does nothing.
     */
    default void retried(ContextView context) {
    }

    /** The statement about to run in {@code context}, or null when Sluice did not say (no observer). */
    static @Nullable Statement statement(ContextView context) {
        return context.getOrDefault(Statement.class, null);
    }

    /**
     * One stream of rows.
     *
     * @param entity   the entity (or result record) type's simple name, e.g. {@code Picture}
     * @param strategy how its rows are fetched
     */
    record Stream(String entity, Strategy strategy) {
        public Stream {
            Objects.requireNonNull(entity, "entity");
            Objects.requireNonNull(strategy, "strategy");
        }
    }

    /** How a stream fetches its rows. */
    enum Strategy {
        /** Keyset pages, a connection per page. */
        KEYSET,
        /**
         * A server-side cursor in a transaction; or, when the subscriber asks for every row at once, one whole
         * statement (its statement's kind is then {@link Kind#WHOLE}).
         */
        CURSOR;

        /** The lower-case name, as a tag value: {@code keyset}, {@code cursor}. */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One statement: what it is for, and the table it reads or writes.
     *
     * @param kind  what the statement is for
     * @param table the table's name, or {@code none} (custom SQL)
     */
    record Statement(Kind kind, String table) {
        public Statement {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(table, "table");
        }
    }

    /** What a statement is for. {@link #tag()} gives its lower-case, hyphenated name. */
    enum Kind {
        /** A keyset page of a stream (with relations: the rows of a window). */
        PAGE,
        /** A {@code FETCH} of a stream's cursor. */
        CURSOR_FETCH,
        /** A cursor stream's query as one statement, for a subscriber that asked for every row at once. */
        WHOLE,
        /** {@code DECLARE} or {@code CLOSE} of a cursor. */
        CURSOR,
        /** The relations of one window ({@code ... = ANY($1)}). */
        RELATION,
        /** A lookup by key ({@code findById}, {@code one}, {@code load}). */
        LOOKUP,
        /** A {@code count(*)}. */
        COUNT,
        /** A multi-row {@code INSERT} of {@code insertAll} or an upsert. */
        WRITE_BATCH,
        /** A write of one entity, or a set-based {@code UPDATE} or {@code DELETE}. */
        WRITE,
        /** A binary {@code COPY ... FROM STDIN}. */
        COPY,
        /** The check of an entity against its table's columns, once per repository. */
        CATALOG;

        /** The lower-case, hyphenated name, as a tag value: {@code page}, {@code cursor-fetch}, {@code write-batch}. */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }
}
