package ai.kull.sync.events;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The message's type may travel in this kind of message (envelope, client message or flat organization
 * event), and the payload is the type's payload class. Reported on {@code type} or on the payload field.
 */
@Documented
@Constraint(validatedBy = TypeFitsMessageValidator.class)
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
public @interface TypeFitsMessage {
    String message() default "does not fit this message";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
