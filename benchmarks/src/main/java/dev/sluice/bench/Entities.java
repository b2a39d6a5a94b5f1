package dev.sluice.bench;

import java.time.Instant;
import java.util.List;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;

/** The records the benchmarks read and write, one per library where the mapping annotations differ. */
final class Entities {

    private Entities() {
    }

    /** Sluice's mapping of {@code bench_picture}: 1 KiB of {@code data} per row. */
    @Table("bench_picture")
    record Picture(@Id Long id, byte[] sha1, String name, Instant takenAt, int sizeBytes, byte[] data) {
    }

    /** Spring Data R2DBC's mapping of the same table, by its own conventions (camelCase to snake_case). */
    @org.springframework.data.relational.core.mapping.Table("bench_picture")
    record SpringPicture(@org.springframework.data.annotation.Id Long id, byte[] sha1, String name, Instant takenAt,
                         int sizeBytes, byte[] data) {
    }

    /** A row written by the write benchmarks; a null id is left to the table's identity. */
    @Table("bench_write")
    record WriteRow(@Id Long id, String name, Instant takenAt, int sizeBytes, byte[] data) {
    }

    /** Spring Data R2DBC's mapping of {@code bench_write}. */
    @org.springframework.data.relational.core.mapping.Table("bench_write")
    record SpringWriteRow(@org.springframework.data.annotation.Id Long id, String name, Instant takenAt,
                          int sizeBytes, byte[] data) {
    }

    /** A photo of an album (relationship-loading baselines). */
    record Photo(long id, long albumId, String name, int width, int height) {
    }

    /** An album with its photos, as the relationship-loading baselines assemble it. */
    record Album(long id, String title, List<Photo> photos) {
    }

    /** Sluice's mapping of {@code bench_album}, with its photos as a relation. */
    @Table("bench_album")
    record SluiceAlbum(@Id Long id, String title,
                       @dev.sluice.annotation.HasMany(foreignKey = "album_id", orderBy = "id")
                       List<SluicePhoto> photos) {
    }

    /** Sluice's mapping of {@code bench_photo}. */
    @Table("bench_photo")
    record SluicePhoto(@Id Long id, long albumId, String name, int width, int height) {
    }
}
