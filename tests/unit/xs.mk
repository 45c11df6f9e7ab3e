# Host unit test for the xenstore codec (minios/xs_codec.c). Included by
# tests/unit/unit.mk, whose conventions it follows: the binary goes to
# build/host/unit/test_xs_codec, built under ASan+UBSan, prints
# "TEST <name> PASS|FAIL: <why>" lines and exits non-zero on failure.
# Alone: make -f tests/unit/xs.mk xs-unit   (build and run)
HOSTCC ?= gcc
UNIT_DIR ?= tests/unit
UNIT_OUT ?= build/host/unit
UNIT_CFLAGS ?= -std=gnu11 -g -O1 -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fno-omit-frame-pointer -Iinclude

XS_UNIT_BIN := $(UNIT_OUT)/test_xs_codec
XS_UNIT_SRCS := $(UNIT_DIR)/test_xs_codec.c minios/xs_codec.c $(UNIT_DIR)/host_stubs.c

UNIT_TESTS += $(XS_UNIT_BIN)

$(XS_UNIT_BIN): $(XS_UNIT_SRCS) include/minios/xs_codec.h $(UNIT_DIR)/unit_test.h
	@mkdir -p $(@D)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $(XS_UNIT_SRCS)

.PHONY: xs-unit
xs-unit: $(XS_UNIT_BIN)
	$(XS_UNIT_BIN)
