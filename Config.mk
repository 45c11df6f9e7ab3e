# stubos build configuration. Override on the command line (make ARCH=arm64)
# or per stub domain in stubdom/<name>/stubdom.mk.

# Target: x86_64 (PV, or PVH with MODE=pvh) or arm64.
ARCH ?= x86_64
MODE ?= pv
# Which stub domain "make run" boots.
STUBDOM ?= hello
# y: -O1 and extra checks; n: -O2.
DEBUG ?= n
# V=1 prints full commands.
V ?= 0

# Feature switches (drivers compiled into the kernel).
CONFIG_NETFRONT ?= y
CONFIG_BLKFRONT ?= n

# Toolchain. CROSS_COMPILE is chosen from ARCH unless given.
ifeq ($(ARCH),arm64)
CROSS_COMPILE ?= aarch64-linux-gnu-
endif
CC := $(CROSS_COMPILE)gcc
LD := $(CROSS_COMPILE)ld
OBJCOPY := $(CROSS_COMPILE)objcopy
STRIP := $(CROSS_COMPILE)strip
NM := $(CROSS_COMPILE)nm
AR := $(CROSS_COMPILE)ar
HOSTCC ?= gcc

# Xen public headers (Debian: libxen-dev).
XEN_HEADERS ?= /usr/include/xen
# The Xen interface version we are written against (Xen 4.14+ ABI).
XEN_INTERFACE_VERSION := 0x00040e00

# Where downloaded and built dependencies and the lab live (outside the tree).
STUBOS_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/stubos
export STUBOS_CACHE
