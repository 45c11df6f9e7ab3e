# lib/deps.mk - third-party dependencies (newlib, lwIP, libfdt), built from Debian
# bookworm packages by lib/deps/deps.sh into a cache outside the tree
# (${STUBOS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stubos}/deps).
#
# Include from the top-level Makefile with ARCH set to x86_64 or arm64.  Defines:
#   NEWLIB_DIR   result dir of newlib for $(ARCH)
#   NEWLIB_INC   newlib headers (use with -nostdinc -isystem)
#   NEWLIB_LIBS  libc.a libm.a (arm64 also needs libgcc.a: long double printf)
#   LWIP_SRC     pristine lwIP 2.1.3 src/ (compile it with our own port headers)
#   LIBFDT_SRC   pristine libfdt sources (fdt*.c, libfdt.h, libfdt_env.h)
#   NEWLIB_STAMP LWIP_STAMP LIBFDT_STAMP   files that exist once a result is complete:
#                use them as (order-only) prerequisites, e.g.
#                $(OBJS): | $(NEWLIB_STAMP)
# and the phony targets deps-newlib, deps-lwip, deps-libfdt, deps.
#
# Computing the variables only runs "deps.sh --print-dir" (a hash of the recipe,
# no apt, no network); the builds happen when a target above is needed.

DEPS_SH := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))/deps/deps.sh

ifeq ($(filter x86_64 arm64,$(ARCH)),)
$(error lib/deps.mk: ARCH must be x86_64 or arm64 (got '$(ARCH)'))
endif

# One call computes all three result dirs (newlib, lwip, libfdt).
DEPS_DIRS := $(shell $(DEPS_SH) --print-dir all $(ARCH))
ifneq ($(words $(DEPS_DIRS)),3)
$(error lib/deps.mk: "$(DEPS_SH) --print-dir all $(ARCH)" failed)
endif

NEWLIB_DIR  := $(word 1,$(DEPS_DIRS))
NEWLIB_INC  := $(NEWLIB_DIR)/include
NEWLIB_LIBS := $(NEWLIB_DIR)/lib/libc.a $(NEWLIB_DIR)/lib/libm.a
LWIP_DIR    := $(word 2,$(DEPS_DIRS))
LWIP_SRC    := $(LWIP_DIR)/src
LIBFDT_SRC  := $(word 3,$(DEPS_DIRS))

NEWLIB_STAMP := $(NEWLIB_DIR)/.complete
LWIP_STAMP   := $(LWIP_DIR)/.complete
LIBFDT_STAMP := $(LIBFDT_SRC)/.complete

.PHONY: deps deps-newlib deps-lwip deps-libfdt
deps: deps-newlib deps-lwip deps-libfdt
deps-newlib:
	$(DEPS_SH) newlib $(ARCH)
deps-lwip:
	$(DEPS_SH) lwip
deps-libfdt:
	$(DEPS_SH) libfdt

# File targets: build only when the stamp is missing.  (The dirs are renamed
# into place with their stamp, so an existing stamp means a complete result.)
$(NEWLIB_STAMP):
	$(DEPS_SH) newlib $(ARCH)
$(LWIP_STAMP):
	$(DEPS_SH) lwip
$(LIBFDT_STAMP):
	$(DEPS_SH) libfdt
$(NEWLIB_LIBS): | $(NEWLIB_STAMP) ;
