package ai.kull.sync.events.payload;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

/** Checks {@link ProcessedWithinTotal}; missing counts are left to their own {@code @NotNull}. */
public final class ProcessedWithinTotalValidator implements ConstraintValidator<ProcessedWithinTotal, ShootProgress> {

    @Override
    public boolean isValid(ShootProgress value, ConstraintValidatorContext context) {
        if (value == null || value.processedCount() == null || value.totalCount() == null
                || value.processedCount() <= value.totalCount()) {
            return true;
        }
        context.disableDefaultConstraintViolation();
        context.buildConstraintViolationWithTemplate(context.getDefaultConstraintMessageTemplate())
                .addPropertyNode("processedCount")
                .addConstraintViolation();
        return false;
    }
}
