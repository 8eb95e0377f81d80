package ai.kull.sync.loadgen.bench;

/**
 * One benchmark scenario: it starts the pods, baselines and load runs it needs (from {@link Repeat#processes}),
 * stops them before it returns, and adds its rows to {@link Repeat#table}, their labels starting with its number.
 * Everything it reads comes from the repeat: the settings, and what an earlier scenario handed on
 * ({@link Repeat#result}). A new scenario is one class implementing this and one line in {@link Scenarios#ALL},
 * which gives it its number and id.
 */
interface Scenario {

    void run(Repeat repeat) throws Exception;

    /** How its headline figures are taken, a paragraph of the results file's "Figures" section; empty if none. */
    default String method() {
        return "";
    }
}
