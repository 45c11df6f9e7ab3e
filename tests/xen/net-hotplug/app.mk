net-hotplug_LIBC := newlib
net-hotplug_NET := lwip
