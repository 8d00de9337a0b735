package io.tessera.master.routing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Questions put to the other masters in rounds: one round in flight at a time, and each round carries every question
 * that came while the one before was out (up to {@code maxPerRound}). A question that finds no round in flight goes at
 * once, so a lone one waits for nothing; under load the questions share their messages. Why: a create with a custom
 * session id asks every other master whether the id exists, four Artery messages per create, half of what a create
 * sends between nodes (docs/BENCHMARKS.md "What a custom session id costs a create"); at a concurrency of 32 a master
 * has about ten creates in flight, and their questions can go together.
 *
 * <p>Bounded: at most {@code maxWaiting} questions wait for a round; one beyond that is answered at once
 * with {@code fallback}, the answer also of every question of a round that failed (for {@link PeerReads}:
 * undecided, so the caller reads from a majority as it would without the other masters).
 *
 * @param <Q> a question (a session id)
 * @param <A> its answer
 */
final class QuestionRounds<Q, A> {

    private record Waiting<Q, A>(Q question, CompletableFuture<A> answer) {
    }

    private final Function<List<Q>, CompletableFuture<List<A>>> round;
    private final int maxPerRound;
    private final int maxWaiting;
    private final A fallback;
    private final ArrayDeque<Waiting<Q, A>> waiting = new ArrayDeque<>();
    private boolean inFlight;

    /**
     * @param round asks the questions of one round and completes with one answer per question, in their order; a round
     *              that fails or answers another number of questions answers each of them {@code fallback}
     */
    QuestionRounds(Function<List<Q>, CompletableFuture<List<A>>> round, int maxPerRound, int maxWaiting, A fallback) {
        if (maxPerRound < 1 || maxWaiting < maxPerRound) {
            throw new IllegalArgumentException("maxPerRound " + maxPerRound + ", maxWaiting " + maxWaiting);
        }
        this.round = round;
        this.maxPerRound = maxPerRound;
        this.maxWaiting = maxWaiting;
        this.fallback = fallback;
    }

    CompletableFuture<A> ask(Q question) {
        CompletableFuture<A> answer = new CompletableFuture<>();
        List<Waiting<Q, A>> start;
        synchronized (this) {
            if (waiting.size() >= maxWaiting) {
                return CompletableFuture.completedFuture(fallback);
            }
            waiting.add(new Waiting<>(question, answer));
            start = inFlight ? null : nextRound();
        }
        if (start != null) {
            send(start);
        }
        return answer;
    }

    /** Takes the next round's questions, and marks a round in flight when there are any. Under the lock. */
    private List<Waiting<Q, A>> nextRound() {
        if (waiting.isEmpty()) {
            inFlight = false;
            return null;
        }
        inFlight = true;
        List<Waiting<Q, A>> taken = new ArrayList<>(Math.min(waiting.size(), maxPerRound));
        while (taken.size() < maxPerRound && !waiting.isEmpty()) {
            taken.add(waiting.poll());
        }
        return taken;
    }

    private void send(List<Waiting<Q, A>> questions) {
        List<Q> asked = new ArrayList<>(questions.size());
        questions.forEach(w -> asked.add(w.question()));
        CompletableFuture<List<A>> answers;
        try {
            answers = round.apply(asked);
        } catch (RuntimeException e) {
            answers = CompletableFuture.failedFuture(e);
        }
        answers.whenComplete((list, error) -> {
            List<Waiting<Q, A>> next;
            synchronized (this) {
                next = nextRound();
            }
            // The next round goes before this one's answers are handed on: their callers' work (a media node's
            // placement, a majority write) runs in this thread and would hold the questions that wait.
            if (next != null) {
                send(next);
            }
            boolean answered = error == null && list != null && list.size() == questions.size();
            for (int i = 0; i < questions.size(); i++) {
                questions.get(i).answer().complete(answered ? list.get(i) : fallback);
            }
        });
    }
}
