package dev.sluice.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The example service: {@code spring.r2dbc.url} names the database, the starter provides the {@link dev.sluice.Repo}.
 * Run it with {@code SPRING_R2DBC_URL=r2dbc:postgresql://postgres@127.0.0.1:5432/test java ...}.
 */
@SpringBootApplication
public class PictureService {

    public static void main(String[] args) {
        SpringApplication.run(PictureService.class, args);
    }
}
