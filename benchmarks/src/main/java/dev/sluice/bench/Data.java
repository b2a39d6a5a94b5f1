package dev.sluice.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * Creates the benchmark's own tables when they are missing or of another size, server-side with generate_series,
 * and prints how long each step took. {@code bench_meta} remembers the sizes, so a table is not counted each run.
 */
final class Data {

    private Data() {
    }

    static void ensure(Db db, long pictures, long albums, int photosPerAlbum) throws SQLException {
        try (Connection c = db.jdbc(""); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS bench_meta (name text PRIMARY KEY, rows bigint NOT NULL)");
            if (!has(s, "bench_picture", pictures)) {
                step(s, "drop bench_picture", "DROP TABLE IF EXISTS bench_picture");
                step(s, "create bench_picture", """
                        CREATE TABLE bench_picture (
                          id bigint PRIMARY KEY, sha1 bytea NOT NULL, name text NOT NULL,
                          taken_at timestamptz NOT NULL, size_bytes int NOT NULL, data bytea NOT NULL)""");
                step(s, String.format(Locale.ROOT, "insert %,d pictures x 1 KiB", pictures), """
                        INSERT INTO bench_picture
                        SELECT i, substring(sha256(int8send(i)) FROM 1 FOR 20), 'picture-' || i,
                               timestamptz '2020-01-01 00:00:00+00' + (i / 4) * interval '1 minute', 1024,
                               decode(repeat(md5(i::text), 64), 'hex')
                        FROM generate_series(1, %d) AS i""".formatted(pictures));
                step(s, "vacuum (freeze, analyze) bench_picture", "VACUUM (FREEZE, ANALYZE) bench_picture");
                remember(s, "bench_picture", pictures);
            }
            if (!hasIndex(s, "bench_picture_taken_at_id")) {
                // taken_at has 4 rows per value; Sluice pages orderBy("taken_at") by keyset on (taken_at, id)
                step(s, "index bench_picture(taken_at, id)",
                        "DROP INDEX IF EXISTS bench_picture_taken_at; "
                                + "CREATE INDEX bench_picture_taken_at_id ON bench_picture (taken_at, id)");
            }
            long photos = albums * photosPerAlbum;
            if (!has(s, "bench_album", albums) || !has(s, "bench_photo", photos)) {
                step(s, "drop bench_album, bench_photo", "DROP TABLE IF EXISTS bench_photo, bench_album");
                step(s, "create bench_album, bench_photo", """
                        CREATE TABLE bench_album (id bigint PRIMARY KEY, title text NOT NULL);
                        CREATE TABLE bench_photo (id bigint PRIMARY KEY, album_id bigint NOT NULL
                          REFERENCES bench_album (id), name text NOT NULL, width int NOT NULL, height int NOT NULL)""");
                step(s, String.format(Locale.ROOT, "insert %,d albums", albums),
                        "INSERT INTO bench_album SELECT a, 'album-' || a FROM generate_series(1, %d) a"
                                .formatted(albums));
                step(s, String.format(Locale.ROOT, "insert %,d photos (%d per album)", photos, photosPerAlbum), """
                        INSERT INTO bench_photo
                        SELECT (a - 1) * %d + k, a, 'photo-' || a || '-' || k, 640 + k, 480 + k
                        FROM generate_series(1, %d) a, generate_series(1, %d) k""".formatted(photosPerAlbum,
                        albums, photosPerAlbum));
                step(s, "index bench_photo(album_id)", "CREATE INDEX bench_photo_album ON bench_photo (album_id)");
                step(s, "vacuum (freeze, analyze) bench_album, bench_photo",
                        "VACUUM (FREEZE, ANALYZE) bench_album, bench_photo");
                remember(s, "bench_album", albums);
                remember(s, "bench_photo", photos);
            }
        }
    }

    private static boolean has(Statement s, String table, long rows) throws SQLException {
        try (var rs = s.executeQuery("SELECT m.rows FROM bench_meta m WHERE m.name = '" + table
                + "' AND to_regclass('" + table + "') IS NOT NULL")) {
            boolean ok = rs.next() && rs.getLong(1) == rows;
            System.out.printf(Locale.ROOT, "data: %s with %,d rows %s%n", table, rows, ok ? "present" : "missing");
            return ok;
        }
    }

    private static boolean hasIndex(Statement s, String index) throws SQLException {
        try (var rs = s.executeQuery("SELECT to_regclass('" + index + "') IS NOT NULL")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static void remember(Statement s, String table, long rows) throws SQLException {
        s.execute("INSERT INTO bench_meta VALUES ('" + table + "', " + rows
                + ") ON CONFLICT (name) DO UPDATE SET rows = excluded.rows");
    }

    private static void step(Statement s, String what, String sql) throws SQLException {
        long t0 = System.nanoTime();
        s.execute(sql);
        System.out.printf(Locale.ROOT, "data: %-60s %8.2f s%n", what, (System.nanoTime() - t0) / 1e9);
    }
}
