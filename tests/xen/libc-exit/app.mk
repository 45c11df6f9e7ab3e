# Linked with newlib (lib/libc/libc.mk).
libc-exit_LIBC := newlib
