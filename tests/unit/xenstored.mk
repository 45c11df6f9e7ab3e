# Host tests for the xenstore server core (stubdom/xenstore/). Included by
# tests/unit/unit.mk, whose conventions it follows: binaries go to
# build/host/unit/xenstored_<name>, built under ASan+UBSan, print
# "TEST <name> PASS|FAIL: <why>" lines and exit non-zero on failure.
#
# The core's files (all but main.c) are compiled for the host once, into
# build/host/xenstored/, with tests/unit/xenstored_host.c standing in for
# kmalloc (malloc + failure injection) and the transport.
#
#   make unit-tests        builds them with the others (unit-check runs them)
#   make xenstored-check   builds and runs only these
#   make fuzz-xenstored    libFuzzer on the request parser/dispatcher (clang),
#                          bounded; prints "TEST xenstored-fuzz PASS"
HOSTCC ?= gcc
UNIT_DIR ?= tests/unit
UNIT_OUT ?= build/host/unit
UNIT_CFLAGS ?= -std=gnu11 -g -O1 -Wall -Wextra -Werror -fsanitize=address,undefined \
	-fno-omit-frame-pointer -Iinclude

XSD_DIR := stubdom/xenstore
XSD_OUT := build/host/xenstored
XSD_CORE_SRCS := $(filter-out $(XSD_DIR)/main.c,$(wildcard $(XSD_DIR)/*.c)) minios/format.c
XSD_HEADERS := $(wildcard $(XSD_DIR)/*.h) $(wildcard include/minios/*.h) \
	$(UNIT_DIR)/xenstored_test.h $(UNIT_DIR)/unit_test.h
XSD_HOST_SRCS := $(UNIT_DIR)/xenstored_host.c $(UNIT_DIR)/host_stubs.c
XSD_CFLAGS := $(UNIT_CFLAGS) -I$(XSD_DIR) -I$(UNIT_DIR)

XSD_OBJS := $(patsubst %.c,$(XSD_OUT)/obj/%.o,$(XSD_CORE_SRCS) $(XSD_HOST_SRCS))
$(XSD_OUT)/obj/%.o: %.c $(XSD_HEADERS)
	@mkdir -p $(@D)
	$(HOSTCC) $(XSD_CFLAGS) -c $< -o $@

XSD_TESTS := tree perms txn watch quota request domain random
XSD_BINS := $(patsubst %,$(UNIT_OUT)/xenstored_%,$(XSD_TESTS))
UNIT_TESTS += $(XSD_BINS)

$(XSD_BINS): $(UNIT_OUT)/xenstored_%: $(UNIT_DIR)/xenstored_%.c $(XSD_OBJS) $(XSD_HEADERS)
	@mkdir -p $(@D)
	$(HOSTCC) $(XSD_CFLAGS) -o $@ $< $(XSD_OBJS)

.PHONY: xenstored-check
xenstored-check: $(XSD_BINS)
	@status=0; for t in $(XSD_BINS); do $$t || status=1; done; exit $$status

# ---------------------------------------------------------------- fuzzing
# Not part of unit-tests: the binary lives outside build/host/unit (whose
# every executable tests/unit/run.sh runs) and needs clang's libFuzzer.
FUZZ_CC ?= clang
XSD_FUZZ_BIN := $(XSD_OUT)/xenstored_fuzz
XSD_FUZZ_TIME ?= 20
XSD_FUZZ_RUNS ?= 5000000
XSD_FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-Iinclude -I$(XSD_DIR) -I$(UNIT_DIR)

$(XSD_FUZZ_BIN): $(UNIT_DIR)/xenstored_fuzz.c $(UNIT_DIR)/xenstored_fuzz.dict $(XSD_CORE_SRCS) $(XSD_HOST_SRCS) $(XSD_HEADERS)
	@mkdir -p $(@D)
	@command -v $(FUZZ_CC) >/dev/null || { echo "fuzz-xenstored needs clang (apt-get install -y clang)" >&2; exit 1; }
	$(FUZZ_CC) $(XSD_FUZZ_CFLAGS) -o $@ $< $(XSD_CORE_SRCS) $(XSD_HOST_SRCS)

# -close_fd_mask=1: the core's printk lines (rejected requests) go nowhere.
.PHONY: fuzz-xenstored
fuzz-xenstored: $(XSD_FUZZ_BIN)
	@mkdir -p $(XSD_OUT)/corpus
	@if XSD_FUZZ_SEEDS=$(XSD_OUT)/corpus $(XSD_FUZZ_BIN) -max_total_time=$(XSD_FUZZ_TIME) -runs=$(XSD_FUZZ_RUNS) -max_len=8192 \
		-artifact_prefix=$(XSD_OUT)/ -dict=$(UNIT_DIR)/xenstored_fuzz.dict -close_fd_mask=1 -print_final_stats=1 $(XSD_OUT)/corpus > $(XSD_OUT)/fuzz.log 2>&1; \
	then grep -E '^(stat::number_of_executed_units|Done)' $(XSD_OUT)/fuzz.log | tail -2; \
		echo "TEST xenstored-fuzz PASS"; \
	else tail -40 $(XSD_OUT)/fuzz.log; \
		echo "TEST xenstored-fuzz FAIL: crash or leak, see $(XSD_OUT)/fuzz.log and $(XSD_OUT)/crash-*"; \
		exit 1; fi
