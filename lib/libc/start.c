/* Start-up and the end of the process: what crt0 does on Unix.
 *
 * The kernel's weak app_start() would call main() and power off; this
 * strong one sets up libc around main(): per-thread state, environment,
 * heap limit, fds 0-2, constructors, then exit(main(...)), which runs the
 * atexit handlers and destructors, flushes stdio (every thread's) and
 * ends in _exit() (process.c). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <minios/console.h>
#include <minios/kernel.h>
#include <minios/mm.h>
#include <minios/panic.h>

#include "args.h"
#include "internal.h"

extern char **environ;

/* newlib's constructor/destructor runners (.init_array/.fini_array) call
 * these ELF-style hooks; our images keep everything in the arrays. */
void __libc_init_array(void);
void __libc_fini_array(void);
void _init(void);
void _fini(void);
void _init(void) {}
void _fini(void) {}

__noreturn void app_start(int argc, char **argv)
{
    libc_threads_init();

    /* Leading NAME=value words of the command line are the environment. */
    char **env = kmalloc(((size_t)argc + 1) * sizeof(*env));
    if (!env)
        panic("libc: no memory for the environment");
    argc = args_split_env(argc, argv, env);
    environ = env; /* setenv() copies it before changing its size */

    libc_heap_configure(getenv("LIBC_HEAP"));

    int rc = libc_stdio_init();
    if (rc < 0)
        panic("libc: cannot open the console as fds 0-2 (error %d)", -rc);

    /* atexit handlers run newest first: the application's, then the
     * destructors, then the flush of other threads' stdio streams -- all
     * before exit() closes the main streams, and fds 0-2 with them. */
    atexit(libc_threads_flush_all);
    __libc_init_array();
    atexit(__libc_fini_array);
    exit(main(argc, argv));
}
