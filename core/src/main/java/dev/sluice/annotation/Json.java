package dev.sluice.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A component stored as a JSON document: any record, class or generic type ({@code List<Step>}) that Jackson reads
 * and writes, in a {@code json} or {@code jsonb} column (or a text column). Written with Jackson's
 * {@code writeValueAsString}, read with its {@code readValue} into the component's declared (generic) type.
 *
 * <p>Sluice uses the Jackson the application already has, found at run time: Jackson 3 ({@code tools.jackson})
 * when present, else Jackson 2 ({@code com.fasterxml.jackson}); Sluice itself depends on neither. Without either, the
 * entity's first use fails naming the dependency to add. A component of Jackson's tree type {@code JsonNode} needs no
 * annotation, nor does a {@code String} (the document's text, as the database holds it).
 *
 * <pre>{@code
 * record Settings(String theme, List<String> tags) {}
 *
 * @Table("account")
 * record Account(@Id Long id, @Json Settings settings) {}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER})
public @interface Json {
}
