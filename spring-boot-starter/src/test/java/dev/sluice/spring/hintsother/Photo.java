package dev.sluice.spring.hintsother;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;

/** A relation target outside the scanned package. */
@Table("photo")
public record Photo(@Id Long id, Long albumId) {
}
