mallocbench_LIBC := newlib
