package dev.sluice.spring.hintsjson;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.sluice.annotation.Id;
import dev.sluice.annotation.Json;
import dev.sluice.annotation.Table;
import dev.sluice.spring.hintsother.Badge;

/** An entity with JSON documents of records, of a class, and of records only reached through type arguments. */
@Table("profile")
public record Profile(@Id Long id, @Json Settings settings, @Json Map<String, List<Badge>> badges,
                      @Json Preferences preferences, @Json Optional<Layout[]> layouts) {

    /** A record document holding another record and an enum. */
    public record Settings(Theme theme, List<String> tags) {
    }

    public record Theme(String name, Shade shade) {
    }

    public enum Shade { DARK, LIGHT }

    public record Layout(int columns) {
    }

    /** A plain class document: Jackson reads its fields; its superclass's too. */
    public static class Preferences extends Base {
        public Nested nested;
        public static Unreached constant;
    }

    public static class Base {
        public String locale;
    }

    public static class Nested {
        public int depth;
    }

    /** Only a static field's type: not part of the document. */
    public static class Unreached {
    }
}
