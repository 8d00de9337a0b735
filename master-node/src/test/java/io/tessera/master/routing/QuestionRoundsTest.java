package io.tessera.master.routing;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link QuestionRounds} with rounds the test answers by hand: who goes in which round, and what each gets. */
class QuestionRoundsTest {

    /** The rounds asked so far, each with the future the test completes to answer it. */
    private final List<List<String>> asked = new ArrayList<>();
    private final List<CompletableFuture<List<String>>> pending = new ArrayList<>();

    private synchronized CompletableFuture<List<String>> round(List<String> questions) {
        asked.add(List.copyOf(questions));
        CompletableFuture<List<String>> answers = new CompletableFuture<>();
        pending.add(answers);
        return answers;
    }

    private static List<String> answersTo(List<String> questions) {
        return questions.stream().map(q -> "answer to " + q).toList();
    }

    @Test
    void aLoneQuestionGoesAtOnceAndThoseThatComeMeanwhileShareTheNextRound() {
        QuestionRounds<String, String> rounds = new QuestionRounds<>(this::round, 64, 100, "fallback");

        CompletableFuture<String> a = rounds.ask("a");
        assertEquals(List.of(List.of("a")), asked, "nothing in flight: the first question waits for nothing");
        CompletableFuture<String> b = rounds.ask("b");
        CompletableFuture<String> c = rounds.ask("c");
        assertEquals(1, asked.size(), "one round in flight at a time");
        assertFalse(b.isDone());

        pending.get(0).complete(answersTo(asked.get(0)));

        assertEquals("answer to a", a.join());
        assertEquals(List.of("b", "c"), asked.get(1), "the questions that waited go together");
        assertFalse(b.isDone() || c.isDone());
        pending.get(1).complete(answersTo(asked.get(1)));
        assertEquals("answer to b", b.join());
        assertEquals("answer to c", c.join());

        CompletableFuture<String> d = rounds.ask("d");
        assertEquals(List.of("d"), asked.get(2), "nothing in flight again: the next question goes at once");
        pending.get(2).complete(answersTo(asked.get(2)));
        assertEquals("answer to d", d.join());
    }

    @Test
    void aRoundCarriesAtMostItsLimitAndTheRestGoInTheRoundsAfter() {
        QuestionRounds<String, String> rounds = new QuestionRounds<>(this::round, 2, 100, "fallback");
        List<CompletableFuture<String>> answers = new ArrayList<>();
        for (String q : List.of("a", "b", "c", "d", "e", "f")) {
            answers.add(rounds.ask(q));
        }

        for (int i = 0; i < 4; i++) {
            pending.get(i).complete(answersTo(asked.get(i)));
        }

        assertEquals(List.of(List.of("a"), List.of("b", "c"), List.of("d", "e"), List.of("f")), asked);
        for (int i = 0; i < answers.size(); i++) {
            assertEquals("answer to " + "abcdef".charAt(i), answers.get(i).join());
        }
    }

    @Test
    void aFailedRoundOrOneWithTheWrongNumberOfAnswersAnswersEachQuestionWithTheFallbackAndTheNextRoundStillGoes() {
        QuestionRounds<String, String> rounds = new QuestionRounds<>(this::round, 64, 100, "fallback");
        CompletableFuture<String> a = rounds.ask("a");
        CompletableFuture<String> b = rounds.ask("b");
        CompletableFuture<String> c = rounds.ask("c");

        pending.get(0).completeExceptionally(new IllegalStateException("timed out"));
        assertEquals("fallback", a.join());
        assertEquals(List.of("b", "c"), asked.get(1));
        pending.get(1).complete(List.of("only one answer"));
        assertEquals("fallback", b.join());
        assertEquals("fallback", c.join());

        QuestionRounds<String, String> throwing = new QuestionRounds<>(questions -> {
            throw new IllegalStateException("cannot ask");
        }, 64, 100, "fallback");
        assertEquals("fallback", throwing.ask("x").join());
        assertEquals("fallback", throwing.ask("y").join(), "a round that threw does not leave one in flight");
    }

    @Test
    void questionsBeyondTheWaitingLimitAreAnsweredWithTheFallbackAtOnce() {
        QuestionRounds<String, String> rounds = new QuestionRounds<>(this::round, 2, 3, "fallback");
        rounds.ask("in flight");
        List<CompletableFuture<String>> waiting = List.of(rounds.ask("w1"), rounds.ask("w2"), rounds.ask("w3"));

        CompletableFuture<String> beyond = rounds.ask("beyond");

        assertEquals("fallback", beyond.getNow(null), "a fourth waiting question is not kept");
        assertTrue(waiting.stream().noneMatch(CompletableFuture::isDone));
        pending.get(0).complete(List.of("x"));
        pending.get(1).complete(answersTo(asked.get(1)));
        pending.get(2).complete(answersTo(asked.get(2)));
        assertEquals(List.of("answer to w1", "answer to w2", "answer to w3"),
                waiting.stream().map(CompletableFuture::join).toList());
        assertThrows(IllegalArgumentException.class, () -> new QuestionRounds<>(this::round, 4, 3, "fallback"));
    }

    @Test
    void questionsFromManyThreadsAreEachAskedOnceAndAnswered() throws Exception {
        // Rounds answered by another thread as soon as they are asked: every question is in exactly one round.
        ExecutorService answering = Executors.newSingleThreadExecutor();
        ExecutorService asking = Executors.newFixedThreadPool(8);
        List<String> askedOnce = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            QuestionRounds<String, String> rounds = new QuestionRounds<>(questions -> {
                askedOnce.addAll(questions);
                return CompletableFuture.supplyAsync(() -> answersTo(questions), answering);
            }, 16, 10_000, "fallback");
            int n = 4_000;
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<CompletableFuture<String>>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String q = "q" + i;
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return rounds.ask(q);
                }, asking));
            }
            start.countDown();
            for (int i = 0; i < n; i++) {
                assertEquals("answer to q" + i, answers.get(i).get(30, TimeUnit.SECONDS).get(30, TimeUnit.SECONDS));
            }
            assertEquals(n, askedOnce.size());
            assertEquals(n, new java.util.HashSet<>(askedOnce).size(), "no question asked twice");
        } finally {
            asking.shutdownNow();
            answering.shutdownNow();
        }
    }
}
