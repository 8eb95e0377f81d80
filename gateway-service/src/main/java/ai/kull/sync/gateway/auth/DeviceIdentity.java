package ai.kull.sync.gateway.auth;

import java.util.Set;

/**
 * Who is on the other end of a session, as proven by its token.
 *
 * @param userId   the token's {@code sub}
 * @param deviceId the token's device claim, or generated for web sessions that have none
 * @param orgs     organizations whose channels the session may join
 * @param roles    e.g. {@code admin}, which receives admin messages
 */
public record DeviceIdentity(String userId, String deviceId, String platform, String deviceName,
                             Set<String> orgs, Set<String> roles) {

    public static final String ADMIN_ROLE = "admin";

    public boolean mayJoinOrg(String orgId) {
        return orgs.contains(orgId) || orgs.contains("*");
    }

    public boolean isAdmin() {
        return roles.contains(ADMIN_ROLE);
    }
}
