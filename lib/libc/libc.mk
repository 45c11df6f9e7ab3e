# lib/libc/libc.mk - opt-in C library (newlib + the glue in lib/libc) for
# applications. Included from the applications section of the top-level
# Makefile, after lib/deps.mk (NEWLIB_*).
#
# An application opts in with one line in its app.mk:
#     <name>_LIBC := newlib
# It is then compiled with LIBC_APP_CFLAGS: the usual application flags,
# hosted (no -ffreestanding), with lib/libc/include (our pthread.h and a few
# shadowed newlib headers) and newlib's headers searched before gcc's. Its
# link adds LIBC_LINK: the glue objects, then libc.a libm.a libgcc.a as a
# group (libc and libm need each other, arm64's libc needs libgcc's 128-bit
# float routines). The kernel's string routines (APP_STRING_OBJ) are left
# out: newlib has its own. The newlib build (lib/deps/deps.sh, cached in
# ~/.cache/stubos/deps) runs first if it is missing.

LIBC_DIR := lib/libc
LIBC_SRCS := $(wildcard $(LIBC_DIR)/*.c)
LIBC_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(LIBC_SRCS))

LIBC_APP_CFLAGS := $(subst -isystem $(GCC_INCLUDE),-isystem $(LIBC_DIR)/include \
	-isystem $(NEWLIB_INC) -isystem $(GCC_INCLUDE),$(filter-out -ffreestanding,$(APP_CFLAGS)))
LIBC_LINK := $(LIBC_OBJS) --start-group $(NEWLIB_LIBS) $(LIBGCC) --end-group

$(BUILD)/$(LIBC_DIR)/%.o: $(LIBC_DIR)/%.c | $(XENINC)/xen/xen.h $(NEWLIB_STAMP)
	$(quiet) CC $<
	$(Q)mkdir -p $(@D) && $(CC) $(LIBC_APP_CFLAGS) -c $< -o $@

# $(call libc_cflags,<app>): compile flags for <app>'s own sources.
libc_cflags = $(if $(filter newlib,$($(1)_LIBC)),$(LIBC_APP_CFLAGS),$(APP_CFLAGS))
