# netsvc: POSIX sockets over lwIP (lib/lwip/lwip.mk), C library newlib.
netsvc_LIBC := newlib
netsvc_NET := lwip
