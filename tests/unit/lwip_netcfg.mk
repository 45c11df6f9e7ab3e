# Host unit test for the network configuration words (lib/lwip/netcfg.c);
# conventions as in unit.mk.
LWIP_NETCFG_UNIT_BIN := $(UNIT_OUT)/lwip_netcfg
LWIP_NETCFG_UNIT_SRCS := $(UNIT_DIR)/lwip_netcfg.c lib/lwip/netcfg.c $(UNIT_DIR)/host_stubs.c
UNIT_TESTS += $(LWIP_NETCFG_UNIT_BIN)

$(LWIP_NETCFG_UNIT_BIN): $(LWIP_NETCFG_UNIT_SRCS) lib/lwip/netcfg.h $(UNIT_DIR)/unit_test.h
	@mkdir -p $(@D)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $(LWIP_NETCFG_UNIT_SRCS)
