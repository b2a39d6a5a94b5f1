package dev.sluice.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The example service: {@code spring.r2dbc.url} names the database, the starter provides the {@link dev.sluice.Repo}.
 * Run it with {@code mvn -pl examples-spring -am spring-boot:run} (see the README); {@code SPRING_R2DBC_URL} names
 * another database.
 */
@SpringBootApplication
public class PictureService {

    public static void main(String[] args) {
        SpringApplication.run(PictureService.class, args);
    }
}
