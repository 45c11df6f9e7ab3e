net-novif_LIBC := newlib
net-novif_NET := lwip
