# Host unit test for netfront's backend-response checks
# (minios/drivers/netfront_check.c); conventions as in unit.mk.
NETFRONT_UNIT_BIN := $(UNIT_OUT)/test_netfront_check
NETFRONT_UNIT_SRCS := $(UNIT_DIR)/test_netfront_check.c minios/drivers/netfront_check.c \
	$(UNIT_DIR)/host_stubs.c
UNIT_TESTS += $(NETFRONT_UNIT_BIN)

$(NETFRONT_UNIT_BIN): $(NETFRONT_UNIT_SRCS) minios/drivers/netfront_ring.h $(UNIT_DIR)/unit_test.h
	@mkdir -p $(@D)
	$(HOSTCC) $(UNIT_CFLAGS) -Iinclude/arch/x86_64 -D__XEN_INTERFACE_VERSION__=0x00040e00 \
		-o $@ $(NETFRONT_UNIT_SRCS)
