package ai.kull.sync.gateway.config;

import ai.kull.sync.events.Topics;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Every gateway setting, under the {@code gateway.} prefix (env: {@code GATEWAY_...}). */
@ConfigMapping(prefix = "gateway")
public interface GatewayConfig {

    /** This pod's id, unique among live pods (Kubernetes: the pod name). Default: a random id per JVM. */
    Optional<String> podId();

    Auth auth();

    Kafka kafka();

    /** How often the server pings each session (WebSocket ping frames); also told to clients on connect. */
    @WithDefault("20s")
    Duration heartbeatInterval();

    Session session();

    Presence presence();

    Drain drain();

    Admission admission();

    Replay replay();

    Admin admin();

    Acks acks();

    Cors cors();

    /** Which web pages may call the gateway's HTTP API from a browser (CORS). */
    interface Cors {
        /**
         * Origins ({@code scheme://host[:port]}) whose pages may call the HTTP API a browser app uses (the device list,
         * the sync status): each exact, or a regular expression between slashes ({@code /https://[a-z]+\.example\.com/}).
         * None by default: only pages of the gateway's own origin (its console). The WebSocket endpoints are not subject
         * to it: a device authenticates with its token there, never with the browser's cookies.
         */
        Optional<List<String>> origins();
    }

    /** Acknowledged cursors (ACK, {@code cursor=acked}) and the client message ids a pod remembers. */
    interface Acks {
        /**
         * Compacted topic with the last acknowledged cursor of each device; every pod reads all of it. Created
         * with cleanup.policy=compact,delete and retention.ms = {@link #retention()} when the pod creates topics.
         */
        @WithDefault("sync.device-cursors")
        String topic();

        /** A device's ACKs are written at most once per this interval (the latest wins), and once on close. */
        @WithDefault("1s")
        Duration flushInterval();

        /** How long an acknowledged cursor is kept after its ACK; older ones are dropped (a resume resyncs). */
        @WithDefault("7d")
        Duration retention();

        /**
         * Event ids of device-originated records (made from client message ids) each pod remembers, oldest out
         * first: a retried id among them is answered RECEIVED duplicate without publishing again.
         */
        @WithDefault("100000")
        int rememberedIds();
    }

    /** The admin API ({@code /api/admin/...}): who may use it, its bounds, how pods answer each other. */
    interface Admin {
        /** Role (in the JWT's {@code groups} claim) that may read the admin API. Raw dev tokens never carry it. */
        @WithDefault("sync-admin")
        String role();

        /** Whether the write actions (disconnect a user's sessions, force a resync) are available at all. */
        @WithDefault("false")
        boolean writeEnabled();

        /** Role needed, in addition to {@link #role()}, for the write actions. */
        @WithDefault("sync-admin-write")
        String writeRole();

        /** Admin requests per second one caller (token subject) may make on average; more get 429. */
        @WithDefault("5")
        double rate();

        /** Admin requests one caller may make at once above the average. */
        @WithDefault("20")
        int burst();

        /** How long a pod waits for the other pods' answers; a pod that did not answer makes the answer partial. */
        @WithDefault("2s")
        Duration peerTimeout();

        /** Gateway-internal topic over which pods ask each other (requests and replies). */
        @WithDefault("sync.gateway-admin")
        String topic();

        /** Recently closed sessions each pod remembers (a ring: the oldest leave first). */
        @WithDefault("200")
        int closedSessions();

        /** Longest a delivery trace may run; a longer request is cut to this. */
        @WithDefault("10m")
        Duration traceMaxDuration();

        /** Most entries a delivery trace keeps per pod; a larger request is cut to this. */
        @WithDefault("5000")
        int traceMaxEntries();

        /** How long a finished trace's entries stay readable before they are dropped. */
        @WithDefault("10m")
        Duration traceRetention();
    }

    interface Replay {
        /** Defaults loadgen's capacity model reads too: compile-time constants, so it needs no gateway at run time. */
        String WINDOW_DEFAULT = "5m";
        String MAX_BYTES_DEFAULT = "67108864";
        String LOG_READERS_DEFAULT = "2";

        /**
         * How far back the in-memory replay window reaches: resumes from within it are served from memory, older
         * ones from the Kafka log (the resume horizon is the topics' retention). A pod reads this far back when it
         * starts.
         */
        @WithDefault(WINDOW_DEFAULT)
        Duration window();

        /** Memory bound of the window; beyond it the oldest events leave early (their resumes read the log). */
        @WithDefault(MAX_BYTES_DEFAULT)
        long maxBytes();

        /** Log readers (each a Kafka consumer on its own thread) serving resumes older than the window at once. */
        @WithDefault(LOG_READERS_DEFAULT)
        int logReaders();

        /** Each log reader's fetch buffer ({@code fetch.max.bytes} and {@code max.partition.fetch.bytes}). */
        @WithDefault("1048576")
        int logFetchBytes();

        /**
         * Records read from the log and not yet sent, over all resumes; each read reserves half of
         * {@code gateway.session.max-pending-bytes}, and reads wait in a queue while this is taken.
         */
        @WithDefault("67108864")
        long logBufferBytes();
    }

    interface Session {
        /** A session that sent no frame and no pong for this long is presumed dead and closed (reconnect allowed). */
        @WithDefault("60s")
        Duration idleTimeout();

        /**
         * Sessions older than this are closed (reconnect allowed), which also bounds how much of the presence
         * topic a starting pod reads to learn which devices are connected elsewhere.
         */
        @WithDefault("12h")
        Duration maxLifetime();

        /**
         * Outbound bytes (counted as characters of the JSON frames) handed to a session's socket and not yet
         * written: a device that reads slower than its events arrive is closed with 4002 above this, instead of
         * the pod buffering for it without bound. It reconnects and resumes from its cursor.
         */
        @WithDefault("1048576")
        long maxPendingBytes();

        /**
         * Largest WebSocket message (and frame) a client may send; a bigger one closes the session with 1009.
         * Applied through {@code quarkus.websockets-next.server.max-message-size} and {@code max-frame-size}.
         */
        @WithDefault("65536")
        int maxMessageBytes();

        /** Client frames per second a session may send on average (token bucket refill rate). */
        @WithDefault("20")
        double inboundRate();

        /** Client frames a session may send at once above the average (token bucket size). */
        @WithDefault("40")
        int inboundBurst();

        /**
         * Frames answered RATE_LIMITED within {@link #rateLimitedWindow()} after which the session is closed
         * with 4003 (reconnect after a backoff).
         */
        @WithDefault("20")
        int rateLimitedCloseAfter();

        /** The window over which RATE_LIMITED answers are counted towards closing the session. */
        @WithDefault("10s")
        Duration rateLimitedWindow();

        /** Sessions one user may have open on this pod; further upgrades are refused with HTTP 429. */
        @WithDefault("20")
        int maxPerUser();
    }

    interface Admission {
        /**
         * New WebSocket upgrades this pod accepts per second (burst of the same size); more are refused with 503
         * and a Retry-After of 1-5 s, so a reconnect storm (a pod died, a network blip) spreads out instead of
         * overloading the pods left. Checked before the token, so refusing costs almost nothing.
         */
        @WithDefault("500")
        double maxNewPerSecond();
    }

    interface Presence {
        /** How often this pod tells the others it is alive. */
        @WithDefault("5s")
        Duration podHeartbeatInterval();

        /**
         * A pod not heard from for this long is presumed dead: its devices are reported offline. Devices of a
         * crashed pod go offline within this time plus one heartbeat interval.
         */
        @WithDefault("15s")
        Duration podTimeout();
    }

    interface Drain {
        /**
         * On SIGTERM, sessions are closed with 1012 at random moments spread over this period, so their
         * reconnects do not all land on the other pods at once. Keep Kubernetes'
         * terminationGracePeriodSeconds above it.
         */
        @WithDefault("10s")
        Duration period();
    }

    interface Auth {
        /** HS256 shared secret (at least 32 bytes) that device tokens are signed with. */
        Optional<String> jwtSecret();

        /** PEM RSA/EC public key (contents) that device tokens are signed with, for RS256/ES256 issuers. */
        Optional<String> jwtPublicKey();

        /** Expected {@code iss} claim, when set. */
        Optional<String> issuer();

        /** Accept the seeds' raw {@code userId} / {@code userId:deviceId} tokens. Local development only. */
        @WithDefault("false")
        boolean devTokens();

        /** Clock skew tolerated on exp/nbf. */
        @WithDefault("30s")
        Duration clockSkew();
    }

    interface Kafka {
        /** The topics whose records are delivered to devices. */
        @WithDefault(Topics.SHOOT_PROGRESS + "," + Topics.CREDIT_UPDATES + "," + Topics.PROMPT_CHANGES + ","
                + Topics.ORG_EVENTS + "," + Topics.USER_EVENTS)
        List<String> eventTopics();

        /**
         * Event topics keyed by orgId (scope org): a session resumes from its organizations' partitions of them.
         * Every event topic named neither here nor in {@link #broadcastTopics()} is keyed by userId, and a
         * session resumes from its user's partition of it.
         */
        @WithDefault(Topics.ORG_EVENTS)
        List<String> orgTopics();

        /**
         * Event topics keyed by an aggregate id such as the promptId (scope broadcast), so a record lands on any
         * partition: a session resumes from every partition of them.
         */
        @WithDefault(Topics.PROMPT_CHANGES)
        List<String> broadcastTopics();

        /** Create missing topics at start (local stacks, tests); off where topics are managed elsewhere. */
        @WithDefault("true")
        boolean createTopics();

        /** Partitions of topics this pod creates. */
        @WithDefault("6")
        int topicPartitions();

        /** Replication factor of topics this pod creates (3 on a production cluster). */
        @WithDefault("1")
        short topicReplication();

        /** Max records per poll. */
        @WithDefault("2000")
        int maxPollRecords();
    }
}
