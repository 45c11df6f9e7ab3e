/* Unbounded recursion in a named thread: the kernel must stop it at the
 * thread's stack limit with a panic naming the thread, and crash the domain. */
#include <minios/console.h>
#include <minios/sched.h>

__attribute__((noinline)) static int recurse(volatile char *prev, int depth)
{
    volatile char frame[256];
    frame[0] = prev ? prev[0] + 1 : 0;
    if (depth > 1000000) /* far beyond any stack we give a thread */
        return frame[0];
    return recurse(frame, depth + 1) + frame[0];
}

static void deep_thread(void *arg)
{
    (void)arg;
    printk("stackguard: recursing\n");
    recurse(NULL, 0);
}

int main(void)
{
    struct thread *t = thread_create("deep-recursion", deep_thread, NULL);
    thread_join(t);
    printk("stackguard: recursion returned, which is wrong\n");
    return 0;
}
