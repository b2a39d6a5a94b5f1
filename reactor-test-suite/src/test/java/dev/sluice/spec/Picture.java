package dev.sluice.spec;

import java.time.Instant;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;

/** The seed use case: a picture archive. 1 KiB of data per row in the fixtures. */
@Table("picture")
public record Picture(@Id Long id, byte[] sha1, String name, Instant takenAt, int sizeBytes, byte[] data) {
}
