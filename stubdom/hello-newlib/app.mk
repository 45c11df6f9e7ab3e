# hello-newlib is linked with newlib (lib/libc/libc.mk).
hello-newlib_LIBC := newlib
