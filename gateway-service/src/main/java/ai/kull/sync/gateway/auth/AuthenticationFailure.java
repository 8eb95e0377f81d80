package ai.kull.sync.gateway.auth;

/** Why an upgrade was refused: the HTTP status and a reason safe to show the client. */
public class AuthenticationFailure extends Exception {

    private final int status;

    public AuthenticationFailure(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    public static AuthenticationFailure unauthorized(String reason) {
        return new AuthenticationFailure(401, reason);
    }

    public static AuthenticationFailure forbidden(String reason) {
        return new AuthenticationFailure(403, reason);
    }

    public int status() {
        return status;
    }
}
