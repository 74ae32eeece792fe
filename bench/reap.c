/*
 * reap CMD [ARG...]: runs CMD as a child subreaper (PR_SET_CHILD_SUBREAPER) and exits with its
 * status. Processes CMD leaves running in the background (ssh ControlPersist masters started by
 * ansible-playbook and testinfra) are re-parented to this process instead of init; once CMD has
 * exited they are sent SIGTERM by PID (again every 0.5 s, SIGKILL after 5 s) and waited for. Their CPU time thus
 * counts in the rusage that /usr/bin/time reports for the tool, as it does for tools that keep
 * their ssh work in the foreground, and nothing the tool started outlives the timed run.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Signals every process whose parent is this one; returns how many there were. */
static int signal_adopted(int sig) {
    pid_t self = getpid();
    int n = 0;
    DIR *proc = opendir("/proc");
    if (proc == NULL) return 0;
    struct dirent *e;
    while ((e = readdir(proc)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end != '\0' || pid <= 0) continue;
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        FILE *f = fopen(path, "r");
        if (f == NULL) continue;
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[len] = '\0';
        char *rp = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
        char state;
        long ppid;
        if (rp == NULL || sscanf(rp + 1, " %c %ld", &state, &ppid) != 2) continue;
        if (ppid == self && state != 'Z') {
            kill((pid_t)pid, sig);
            n++;
        }
    }
    closedir(proc);
    return n;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: reap CMD [ARG...]\n");
        return 2;
    }
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
        perror("reap: prctl");
        return 2;
    }
    pid_t child = fork();
    if (child < 0) {
        perror("reap: fork");
        return 2;
    }
    if (child == 0) {
        execvp(argv[1], argv + 1);
        perror(argv[1]);
        _exit(127);
    }
    int status, rc = 1;
    pid_t p;
    while ((p = waitpid(child, &status, 0)) < 0 && errno == EINTR) {
    }
    if (p == child) rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    /* Reap whatever already exited, then stop what is left, by PID. */
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (int round = 0;; round++) {
        while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
        }
        if (p < 0 && errno == ECHILD) break;
        if (round % 50 == 0) signal_adopted(round < 500 ? SIGTERM : SIGKILL);
        nanosleep(&tick, NULL);
    }
    return rc;
}
