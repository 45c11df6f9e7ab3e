net-dhcp_LIBC := newlib
net-dhcp_NET := lwip
