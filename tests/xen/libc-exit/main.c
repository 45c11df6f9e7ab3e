/* libc-exit: exit(3) from main after registering atexit handlers. The
 * domain must power off (not crash), and the log must show, in order of
 * what exit() does: the handlers' output, buffered stdio output of main
 * and of another thread, destructors, then "exit status 3". The checks are
 * all in the expect file: after exit() the guest can check nothing. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int constructed;

__attribute__((constructor)) static void before_main(void)
{
    constructed = 1;
}

__attribute__((destructor)) static void after_exit(void)
{
    printf("destructor ran\n");
}

static void first_registered(void)
{
    printf("atexit handlers ran in reverse order\n");
}

static void last_registered(void)
{
    printf("atexit handler ran\n");
}

/* Leaves a full line in its own, fully buffered stdout and blocks for
 * good: only exit()'s flush of every thread's streams can show it. */
static void *bystander(void *arg)
{
    (void)arg;
    setvbuf(stdout, NULL, _IOFBF, BUFSIZ);
    printf("thread buffered line\n");
    for (;;)
        sleep(60);
    return NULL;
}

int main(void)
{
    if (constructed)
        printf("constructor ran before main\n");
    /* Fully buffered: nothing reaches the console before exit() flushes. */
    setvbuf(stdout, NULL, _IOFBF, BUFSIZ);
    printf("buffered until exit\n");
    atexit(first_registered);
    atexit(last_registered);
    pthread_t t;
    pthread_create(&t, NULL, bystander, NULL);
    usleep(10000);
    exit(3);
}
