package ai.kull.sync.loadgen.bench;

/**
 * One benchmark scenario: it starts the pods, baselines and load runs it needs (from {@link Repeat#processes}),
 * stops them before it returns, and adds its rows to {@link Repeat#table}. Everything it reads comes from the
 * repeat: the settings, and what an earlier scenario handed on ({@link Repeat#result}). A new scenario is one
 * class implementing this and one line in {@link Scenarios#ALL}.
 */
interface Scenario {

    /** Its number in docs/benchmarks.md and in its table rows' labels ("1. fan-out: ..."). */
    int number();

    /** The name SCENARIOS and {@code --scenarios} use ({@code fanout}). */
    String id();

    void run(Repeat repeat) throws Exception;

    /** How its headline figures are taken, a paragraph of the results file's "Figures" section; empty if none. */
    default String method() {
        return "";
    }
}
