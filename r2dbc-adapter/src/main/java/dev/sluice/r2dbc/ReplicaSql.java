package dev.sluice.r2dbc;

/**
 * The statements that measure how far a read replica is behind its primary, by WAL position:
 * {@code pg_current_wal_lsn()} on the primary against {@code pg_last_wal_replay_lsn()} on the replica (NULL on a
 * server that is not replaying: not a replica, or one promoted). Never {@code pg_last_xact_replay_timestamp()},
 * which grows on an idle primary with no lag at all. Both as text, {@code 16/B374D848}; {@link #position} reads it.
 */
final class ReplicaSql {

    /** The primary's current WAL write position. */
    static final String PRIMARY_POSITION = "SELECT pg_current_wal_lsn()::text";

    /** The replica's last replayed WAL position; NULL when it is not in recovery. */
    static final String REPLAYED_POSITION = "SELECT pg_last_wal_replay_lsn()::text";

    private ReplicaSql() {
    }

    /** A WAL position as a byte offset: {@code 16/B374D848} is {@code 0x16B374D848}. */
    static long position(String lsn) {
        int slash = lsn.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a WAL position: " + lsn);
        }
        return (Long.parseLong(lsn.substring(0, slash), 16) << 32) | Long.parseLong(lsn.substring(slash + 1), 16);
    }
}
