# The libc guest test is linked with newlib (lib/libc/libc.mk).
libc_LIBC := newlib
