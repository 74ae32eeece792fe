package dev.postflight.cli;

/** Entry point of the postflight command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.out.println("postflight");
    }
}
