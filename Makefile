# stubos top-level build. See README.md; configuration lives in Config.mk.
#   make            kernel + every stub domain for ARCH/MODE, sizes printed
#   make run        boot $(STUBDOM) under Xen (in QEMU when no Xen host)
#   make test       host unit tests + guest tests under real Xen
#   make bench      benchmarks (not part of test)
include Config.mk

ifeq ($(filter $(ARCH),x86_64 arm64),)
$(error ARCH=$(ARCH) is not supported: use ARCH=x86_64 or ARCH=arm64)
endif
ifeq ($(ARCH),x86_64)
SRCARCH := x86
ifeq ($(filter $(MODE),pv pvh),)
$(error MODE=$(MODE) is not supported on x86_64: use MODE=pv or MODE=pvh)
endif
else
SRCARCH := arm
MODE := dom0less
endif

BUILD := build/$(ARCH)-$(MODE)
HOSTBUILD := build/host

ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @printf '  %-7s %s\n'
endif

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:
.SECONDARY:

# ---------------------------------------------------------------- flags
GCC_INCLUDE := $(shell $(CC) -print-file-name=include 2>/dev/null)
LIBGCC := $(shell $(CC) -print-libgcc-file-name 2>/dev/null)
XENINC := $(BUILD)/xeninc

COMMON_CFLAGS := -std=gnu11 -g -ffreestanding -nostdinc -isystem $(GCC_INCLUDE) \
	-I$(XENINC) -Iinclude -Iinclude/arch/$(ARCH) \
	-D__XEN_INTERFACE_VERSION__=$(XEN_INTERFACE_VERSION) \
	-fno-pie -fno-pic -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-omit-frame-pointer -fno-common -ffunction-sections -fdata-sections \
	-Wall -Wextra -Werror -MMD -MP
ifeq ($(DEBUG),y)
COMMON_CFLAGS += -O1 -DDEBUG
else
COMMON_CFLAGS += -O2
endif

ifeq ($(ARCH),x86_64)
# No red zone: Xen PV delivers events onto the current stack.
# -fsplit-stack: every function checks its stack limit (see arch/x86/entry.S).
ARCH_CFLAGS := -m64 -mno-red-zone -mcmodel=small -fsplit-stack
# The kernel itself stays off the FPU/SSE so event handlers never disturb
# application floating-point state.
KERNEL_ARCH_CFLAGS := -mno-sse -mno-mmx -mno-sse2 -mno-80387
LDSCRIPT := arch/x86/$(MODE)/x86_64.lds
else ifeq ($(ARCH),arm64)
# libfdt (LIBFDT_SRC, LIBFDT_STAMP) comes from lib/deps; the kernel parses
# Xen's device tree with it.
include lib/deps.mk
# Inline atomics only: libgcc's outlined ones need glibc's getauxval.
ARCH_CFLAGS := -march=armv8-a -mno-outline-atomics
# The kernel stays off FP/SIMD registers (an interrupt may hit an application
# using them; arch/arm/entry.S saves them only around interrupts), and makes
# only aligned accesses: its early boot code runs with the MMU off, where all
# memory is Device memory. libfdt's <string.h>/<stdlib.h> map to the kernel's.
KERNEL_ARCH_CFLAGS := -mgeneral-regs-only -mstrict-align \
	-Iinclude/arch/arm64/libfdt-shim -I$(LIBFDT_SRC)
LDSCRIPT := arch/arm/arm64.lds
# Xen loads arm64 kernels in the Linux "Image" format (a raw binary with a
# header), not ELF: the "stripped" image of an application is that binary.
STRIP := arch/arm/elf-to-image.sh $(OBJCOPY)
endif

KERNEL_CFLAGS := $(COMMON_CFLAGS) $(ARCH_CFLAGS) $(KERNEL_ARCH_CFLAGS) -D__KERNEL__ \
	-fno-tree-loop-distribute-patterns
APP_CFLAGS := $(COMMON_CFLAGS) $(ARCH_CFLAGS)
ASFLAGS := $(COMMON_CFLAGS) $(ARCH_CFLAGS) -D__ASSEMBLY__
LDFLAGS := -nostdlib -static --gc-sections -z max-page-size=4096 -z noexecstack --build-id=none

# ---------------------------------------------------------------- kernel
KERNEL_SRCS := $(wildcard minios/*.c) $(wildcard arch/$(SRCARCH)/*.c) $(wildcard arch/$(SRCARCH)/*.S)
ifeq ($(ARCH),x86_64)
# Boot-mode specific code: arch/x86/pv/ or arch/x86/pvh/.
KERNEL_SRCS += $(wildcard arch/x86/$(MODE)/*.c) $(wildcard arch/x86/$(MODE)/*.S)
endif
ifeq ($(CONFIG_NETFRONT),y)
KERNEL_SRCS += $(wildcard minios/drivers/netfront*.c)
endif
ifeq ($(CONFIG_BLKFRONT),y)
KERNEL_SRCS += $(wildcard minios/drivers/blkfront*.c)
endif
KERNEL_OBJS := $(patsubst %,$(BUILD)/%.o,$(basename $(KERNEL_SRCS)))
KERNEL := $(BUILD)/minios.o

ifeq ($(ARCH),arm64)
# The nine libfdt sources, compiled like kernel code.
LIBFDT_NAMES := fdt fdt_ro fdt_wip fdt_sw fdt_rw fdt_strerror fdt_empty_tree fdt_addresses fdt_overlay
LIBFDT_OBJS := $(patsubst %,$(BUILD)/libfdt/%.o,$(LIBFDT_NAMES))
KERNEL_OBJS += $(LIBFDT_OBJS)
$(BUILD)/libfdt/%.o: $(LIBFDT_STAMP) | $(XENINC)/xen/xen.h
	$(quiet) CC libfdt/$*.c
	$(Q)mkdir -p $(@D) && $(CC) $(KERNEL_CFLAGS) -c $(LIBFDT_SRC)/$*.c -o $@
# Kernel files that include <libfdt.h> need the sources in place.
$(filter-out $(LIBFDT_OBJS),$(KERNEL_OBJS)): | $(LIBFDT_STAMP)
endif

$(XENINC)/xen/xen.h:
	@test -f $(XEN_HEADERS)/xen.h || { echo "error: Xen public headers not found in $(XEN_HEADERS): run 'make setup' (or apt-get install libxen-dev)" >&2; exit 1; }
	$(Q)mkdir -p $(XENINC) && ln -sfn $(XEN_HEADERS) $(XENINC)/xen

$(BUILD)/minios/%.o: minios/%.c | $(XENINC)/xen/xen.h
	$(quiet) CC $<
	$(Q)mkdir -p $(@D) && $(CC) $(KERNEL_CFLAGS) -c $< -o $@
$(BUILD)/arch/%.o: arch/%.c | $(XENINC)/xen/xen.h
	$(quiet) CC $<
	$(Q)mkdir -p $(@D) && $(CC) $(KERNEL_CFLAGS) -c $< -o $@
$(BUILD)/arch/%.o: arch/%.S | $(XENINC)/xen/xen.h
	$(quiet) AS $<
	$(Q)mkdir -p $(@D) && $(CC) $(ASFLAGS) -c $< -o $@

# One relocatable object; only the symbols in minios/exports.txt stay global,
# so applications may reuse any other name (init_events, printk_buf ...).
$(KERNEL): $(KERNEL_OBJS) minios/exports.txt
	$(quiet) LD $@
	$(Q)$(LD) -r -o $@.all $(KERNEL_OBJS)
	$(Q)$(OBJCOPY) --keep-global-symbols=minios/exports.txt $@.all $@
	$(Q)rm -f $@.all

# ---------------------------------------------------------------- applications
# An application is a folder with *.c files (stubdom/<name>/ or
# tests/xen/<name>/); an optional app.mk there may add <name>_LIBS etc.,
# and "<name>_LIBC := newlib" links it with newlib (lib/libc/libc.mk).
ifeq ($(filter lib/deps.mk,$(MAKEFILE_LIST)),)
include lib/deps.mk
endif
include lib/libc/libc.mk
$(BUILD)/stubdom/%.o: stubdom/%.c | $(XENINC)/xen/xen.h
	$(quiet) CC $<
	$(Q)mkdir -p $(@D) && $(CC) $(call libc_cflags,$(word 2,$(subst /, ,$<))) $($(word 2,$(subst /, ,$<))_CFLAGS) -c $< -o $@
$(BUILD)/tests/xen/%.o: tests/xen/%.c | $(XENINC)/xen/xen.h
	$(quiet) CC $<
	$(Q)mkdir -p $(@D) && $(CC) $(call libc_cflags,$(word 3,$(subst /, ,$<))) $($(word 3,$(subst /, ,$<))_CFLAGS) -c $< -o $@

# Applications without a libc still get memcpy & co. (gcc emits calls to
# them): the kernel's own string routines, compiled again as app code,
# because the kernel's copies are local to the kernel object.
APP_STRING_OBJ := $(BUILD)/lib/app-string.o
$(APP_STRING_OBJ): minios/string.c | $(XENINC)/xen/xen.h
	$(quiet) CC $< "(app)"
	$(Q)mkdir -p $(@D) && $(CC) $(APP_CFLAGS) -fno-tree-loop-distribute-patterns -c $< -o $@

define app_rules
$(2)_OBJS := $$(patsubst %.c,$(BUILD)/%.o,$$(wildcard $(1)/*.c))
$(2)_LIBS := $(APP_STRING_OBJ)
-include $(1)/app.mk
$(2)_LIBC_LINK :=
ifeq ($$($(2)_LIBC),newlib)
$(2)_LIBS := $$(filter-out $(APP_STRING_OBJ),$$($(2)_LIBS))
$(2)_LIBC_LINK := $$(LIBC_LINK)
$$($(2)_OBJS): | $$(NEWLIB_STAMP)
$(BUILD)/$(1)/$(2).elf: $$(LIBC_OBJS) $$(NEWLIB_LIBS)
endif
$(BUILD)/$(1)/$(2).elf: $$($(2)_OBJS) $$($(2)_LIBS) $(KERNEL) $(LDSCRIPT)
	$$(quiet) LINK $$@
	$$(Q)$(LD) $(LDFLAGS) -T $(LDSCRIPT) -o $$@ $(KERNEL) $$($(2)_OBJS) $$($(2)_LIBS) $$($(2)_LIBC_LINK) $(LIBGCC)
$(BUILD)/$(1)/$(2): $(BUILD)/$(1)/$(2).elf
	$$(quiet) STRIP $$@
	$$(Q)$(STRIP) -o $$@ $$<
$(BUILD)/$(1)/$(2).gz: $(BUILD)/$(1)/$(2)
	$$(quiet) GZIP $$@
	$$(Q)gzip -9nc $$< > $$@.tmp && mv $$@.tmp $$@
APP_IMAGES += $(BUILD)/$(1)/$(2).gz
endef

STUBDOMS := $(patsubst stubdom/%/,%,$(sort $(dir $(wildcard stubdom/*/*.c))))
GUEST_TESTS := $(patsubst tests/xen/%/,%,$(sort $(dir $(wildcard tests/xen/*/*.c))))
$(foreach s,$(STUBDOMS),$(eval $(call app_rules,stubdom/$(s),$(s))))
$(foreach t,$(GUEST_TESTS),$(eval $(call app_rules,tests/xen/$(t),$(t))))
# Benchmark guests (make bench): tests/bench/<name>/*.c
BENCH_GUESTS := $(patsubst tests/bench/%/,%,$(sort $(dir $(wildcard tests/bench/*/*.c))))
$(foreach t,$(BENCH_GUESTS),$(eval $(call app_rules,tests/bench/$(t),$(t))))
$(BUILD)/tests/bench/%.o: tests/bench/%.c | $(XENINC)/xen/xen.h
	$(quiet) CC $<
	$(Q)mkdir -p $(@D) && $(CC) $(call libc_cflags,$(word 3,$(subst /, ,$<))) -c $< -o $@

# The unprivileged guest of the xenstore conformance test (tests/lab/xs-conformance.sh).
$(BUILD)/tests/lab/xs-conformance/%.o: tests/lab/xs-conformance/%.c | $(XENINC)/xen/xen.h
	$(quiet) CC $<
	$(Q)mkdir -p $(@D) && $(CC) $(APP_CFLAGS) -c $< -o $@
$(eval $(call app_rules,tests/lab/xs-conformance/xsguest,xsguest))

ifeq ($(ARCH),arm64)
# arm64-only guest tests that need more than one domain at a time (booted
# together by tests/lab/arm64-run.sh as dom0less domUs).
ARM64_LAB_TESTS := $(patsubst tests/lab/arm64/%/,%,$(sort $(dir $(wildcard tests/lab/arm64/*/*.c))))
$(BUILD)/tests/lab/arm64/%.o: tests/lab/arm64/%.c | $(XENINC)/xen/xen.h
	$(quiet) CC $<
	$(Q)mkdir -p $(@D) && $(CC) $(APP_CFLAGS) -Itests/xen -c $< -o $@
$(foreach t,$(ARM64_LAB_TESTS),$(eval $(call app_rules,tests/lab/arm64/$(t),$(t))))
guest-tests: $(foreach t,$(ARM64_LAB_TESTS),$(BUILD)/tests/lab/arm64/$(t)/$(t).gz)
endif

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------- top-level goals
.PHONY: all kernel stubdoms guest-tests dom0-tools sizes run test unit-tests bench setup clean
all: stubdoms sizes
kernel: $(KERNEL)
stubdoms: $(foreach s,$(STUBDOMS),$(BUILD)/stubdom/$(s)/$(s).gz)
guest-tests: $(foreach t,$(GUEST_TESTS),$(BUILD)/tests/xen/$(t)/$(t).gz)

sizes: stubdoms
	@for s in $(STUBDOMS); do d=$(BUILD)/stubdom/$$s; \
	  printf '  %-12s elf %8d B   stripped %7d B   gz %7d B   (%s)\n' $$s \
	    $$(stat -c %s $$d/$$s.elf) $$(stat -c %s $$d/$$s) $$(stat -c %s $$d/$$s.gz) $$d; done

setup:
	@tests/lab/host-setup.sh

run: setup $(BUILD)/stubdom/$(STUBDOM)/$(STUBDOM).gz
	@tests/lab/run-stubdom.sh $(BUILD)/stubdom/$(STUBDOM)/$(STUBDOM).gz stubdom/$(STUBDOM)/$(STUBDOM).cfg

-include lib/lwip/lwip.mk
-include tests/unit/unit.mk

# Static Linux programs that drive the other end of guest tests from dom0
# (gntdev, evtchn ...): every tests/dom0/*.c is one tool, put into the lab's
# dom0 under /extra. ARCH=arm64 cross-builds them for the arm64 dom0 lab
# (tests/lab/arm64-dom0.sh): the sysroot's xen/ holds only Linux's uapi
# headers, so libxen-dev's xen/io (xs_wire.h) is searched after it.
ifeq ($(ARCH),arm64)
DOM0_DIR := build/host-arm64
DOM0_CC := $(CC) -idirafter $(DOM0_DIR)/xeninc
$(DOM0_DIR)/xeninc/xen/io:
	$(Q)mkdir -p $(@D) && ln -sfn $(XEN_HEADERS)/io $@
else
DOM0_DIR := $(HOSTBUILD)
DOM0_CC := $(HOSTCC)
endif
DOM0_TOOLS := $(patsubst tests/dom0/%.c,$(DOM0_DIR)/dom0/%,$(wildcard tests/dom0/*.c))
dom0-tools: $(DOM0_TOOLS)
$(DOM0_DIR)/dom0/%: tests/dom0/%.c tests/dom0/xsdev.h | $(if $(filter arm64,$(ARCH)),$(DOM0_DIR)/xeninc/xen/io)
	$(quiet) HOSTCC $<
	$(Q)mkdir -p $(@D) && $(DOM0_CC) -static -O2 -Wall -Wextra -Werror -o $@ $<

test: setup
	@tests/run.sh

bench-guests: $(foreach t,$(BENCH_GUESTS),$(BUILD)/tests/bench/$(t)/$(t).gz)
bench: setup
	@tests/bench/run.sh

clean:
	rm -rf build
