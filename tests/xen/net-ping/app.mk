net-ping_LIBC := newlib
net-ping_NET := lwip
