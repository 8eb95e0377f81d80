package ai.kull.sync.deploy.helm;

/** Kubernetes versions as the tests pass them to Helm ("1.30.0"). */
final class Version {

    private Version() {
    }

    static boolean atLeast(String version, int major, int minor) {
        String[] parts = version.split("\\.");
        int actualMajor = Integer.parseInt(parts[0]);
        int actualMinor = Integer.parseInt(parts[1]);
        return actualMajor > major || actualMajor == major && actualMinor >= minor;
    }
}
