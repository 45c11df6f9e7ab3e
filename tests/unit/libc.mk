# Host unit tests for the libc glue's pure parts (lib/libc/args.c: the
# environment/argv split of the command line; lib/libc/fd.c: the descriptor
# table). Included by tests/unit/unit.mk, whose conventions they follow:
# binaries in build/host/unit/, ASan+UBSan, "TEST <name> PASS|FAIL: <why>".
# Both files use only C library headers, so they build against glibc as is.
# Alone: make -f tests/unit/libc.mk libc-unit   (build and run)
HOSTCC ?= gcc
UNIT_DIR ?= tests/unit
UNIT_OUT ?= build/host/unit
UNIT_CFLAGS ?= -std=gnu11 -g -O1 -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fno-omit-frame-pointer -Iinclude

LIBC_UNIT_BINS := $(UNIT_OUT)/libc_args $(UNIT_OUT)/libc_fd
UNIT_TESTS += $(LIBC_UNIT_BINS)

$(UNIT_OUT)/libc_args: $(UNIT_DIR)/libc_args.c lib/libc/args.c lib/libc/args.h \
		$(UNIT_DIR)/host_stubs.c $(UNIT_DIR)/unit_test.h
	@mkdir -p $(@D)
	$(HOSTCC) $(UNIT_CFLAGS) -Ilib/libc -o $@ $(UNIT_DIR)/libc_args.c lib/libc/args.c \
		$(UNIT_DIR)/host_stubs.c

$(UNIT_OUT)/libc_fd: $(UNIT_DIR)/libc_fd.c lib/libc/fd.c lib/libc/fd.h \
		$(UNIT_DIR)/host_stubs.c $(UNIT_DIR)/unit_test.h
	@mkdir -p $(@D)
	$(HOSTCC) $(UNIT_CFLAGS) -Ilib/libc -o $@ $(UNIT_DIR)/libc_fd.c lib/libc/fd.c \
		$(UNIT_DIR)/host_stubs.c

.PHONY: libc-unit
libc-unit: $(LIBC_UNIT_BINS)
	@for t in $(LIBC_UNIT_BINS); do $$t || exit 1; done
