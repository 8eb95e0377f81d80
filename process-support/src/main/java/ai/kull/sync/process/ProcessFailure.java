package ai.kull.sync.process;

/** A process that exited, hung or did not get ready in time; the message ends with the last lines of its log. */
public final class ProcessFailure extends RuntimeException {

    public ProcessFailure(String message) {
        super(message);
    }
}
