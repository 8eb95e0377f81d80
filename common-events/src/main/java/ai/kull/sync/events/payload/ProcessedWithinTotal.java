package ai.kull.sync.events.payload;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A shoot cannot have processed more images than it has; reported on {@code processedCount}. */
@Documented
@Constraint(validatedBy = ProcessedWithinTotalValidator.class)
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
public @interface ProcessedWithinTotal {
    String message() default "must be <= totalCount";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
