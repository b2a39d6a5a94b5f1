package dev.sluice.examples.spring;

import java.time.Instant;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;

/** A picture of the archive; in JSON its byte arrays are base64 and {@code takenAt} is ISO-8601. */
@Table("picture")
public record Picture(@Id Long id, byte[] sha1, String name, Instant takenAt, int sizeBytes, byte[] data) {
}
