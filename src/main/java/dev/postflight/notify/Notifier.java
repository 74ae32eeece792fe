package dev.postflight.notify;

import java.io.IOException;

/**
 * One place a run's result is sent after the run: a chat webhook or a mail address. Closed set: a
 * new kind is a new permitted subtype and one case in {@link Notifications#parse}.
 */
sealed interface Notifier permits WebhookNotifier, MailNotifier {

    /**
     * How the user named this notifier, safe to print: {@code webhook=https://hooks.example/…} (the
     * path of a webhook URL is its secret) or {@code mail=ops@example.org}.
     */
    String label();

    /** Sends the message; any failure (refused, timed out, rejected) is an exception. */
    void send(Message message) throws IOException;
}
