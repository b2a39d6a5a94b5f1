package dev.sluice.examples;

import java.time.Instant;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;

/**
 * One row of the demo's {@code picture} table: a picture of about 1 KiB with its SHA-1, the entity
 * {@link ScanDemo} streams. Components map to snake-case columns: {@code takenAt} to {@code taken_at}.
 *
 * @param id        the generated primary key
 * @param sha1      the 20-byte digest of {@code data}, unique
 * @param name      the file name
 * @param takenAt   when the picture was taken
 * @param sizeBytes the length of {@code data}
 * @param data      the picture's bytes
 */
@Table("picture")
public record Picture(@Id Long id, byte[] sha1, String name, Instant takenAt, int sizeBytes, byte[] data) {
}
