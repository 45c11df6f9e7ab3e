# Host unit tests for kernel code (GNU make fragment).
#
# Included by the top-level Makefile, or used alone from the repository root:
#     make -f tests/unit/unit.mk unit-tests      # build
#     make -f tests/unit/unit.mk unit-check      # build and run
# Each test compiles the kernel sources it covers straight into a host
# binary under ASan/UBSan, with host_stubs.c standing in for printk/panic.

# Remember the including makefile's default goal so this fragment does not
# steal it (restored at the end).
unit_mk_saved_goal := $(.DEFAULT_GOAL)

HOSTCC ?= gcc
UNIT_DIR := tests/unit
UNIT_OUT := build/host/unit
UNIT_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fno-omit-frame-pointer -Iinclude
# No kernel name clashes with glibc today; if one appears, rename it for
# the host build here (e.g. -Dfoo=minios_foo), not in the kernel API.
UNIT_HOST_RENAMES :=

UNIT_COMMON := $(UNIT_DIR)/host_stubs.c
UNIT_HEADERS := $(wildcard include/minios/*.h) $(UNIT_DIR)/unit_test.h

# <test>_SRCS: kernel files compiled into each test.
unit_test_format_SRCS := minios/format.c
unit_test_page_alloc_SRCS := minios/page_alloc.c
unit_test_heap_SRCS := minios/page_alloc.c minios/heap.c

UNIT_NAMES := test_format test_page_alloc test_heap
UNIT_TESTS := $(addprefix $(UNIT_OUT)/,$(UNIT_NAMES))

# Other tests/unit/*.mk fragments (one per test that needs its own rules)
# add their binaries to UNIT_TESTS; include them before the rule below
# expands the list.
UNIT_EXTRA_MK := $(filter-out $(UNIT_DIR)/unit.mk,$(wildcard $(UNIT_DIR)/*.mk))
include $(UNIT_EXTRA_MK)

.PHONY: unit-tests unit-check
unit-tests: $(UNIT_TESTS)

unit-check: unit-tests
	$(UNIT_DIR)/run.sh

define unit_test_rule
$(UNIT_OUT)/$(1): $(UNIT_DIR)/$(1).c $$(unit_$(1)_SRCS) $(UNIT_COMMON) $(UNIT_HEADERS)
	@mkdir -p $$(@D)
	$$(HOSTCC) $$(UNIT_CFLAGS) $$(UNIT_HOST_RENAMES) -o $$@ $(UNIT_DIR)/$(1).c \
		$$(unit_$(1)_SRCS) $(UNIT_COMMON)
endef
$(foreach t,$(UNIT_NAMES),$(eval $(call unit_test_rule,$(t))))

# Standalone (make -f tests/unit/unit.mk): unit-tests is the default goal.
# Included: give the default back to the including makefile.
ifeq ($(firstword $(MAKEFILE_LIST)),$(UNIT_DIR)/unit.mk)
.DEFAULT_GOAL := unit-tests
else
.DEFAULT_GOAL := $(unit_mk_saved_goal)
endif
