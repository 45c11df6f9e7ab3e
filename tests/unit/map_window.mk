# Host unit test for the mapping window's bookkeeping (minios/map_window.c);
# conventions as in unit.mk.
MAP_WINDOW_UNIT_BIN := $(UNIT_OUT)/test_map_window
MAP_WINDOW_UNIT_SRCS := $(UNIT_DIR)/test_map_window.c minios/map_window.c $(UNIT_DIR)/host_stubs.c
UNIT_TESTS += $(MAP_WINDOW_UNIT_BIN)

$(MAP_WINDOW_UNIT_BIN): $(MAP_WINDOW_UNIT_SRCS) include/minios/map_window.h $(UNIT_DIR)/unit_test.h
	@mkdir -p $(@D)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $(MAP_WINDOW_UNIT_SRCS)
