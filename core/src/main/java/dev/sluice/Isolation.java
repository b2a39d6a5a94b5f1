package dev.sluice;

/** A transaction isolation level, as the SQL standard names them. */
public enum Isolation {
    READ_COMMITTED("READ COMMITTED"),
    REPEATABLE_READ("REPEATABLE READ"),
    SERIALIZABLE("SERIALIZABLE");

    private final String sql;

    Isolation(String sql) {
        this.sql = sql;
    }

    /** The level as SQL spells it, e.g. {@code REPEATABLE READ}. */
    public String sql() {
        return sql;
    }
}
