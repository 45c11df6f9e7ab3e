# lib/lwip/lwip.mk - lwIP 2.1.3 with the stubos port (lib/lwip/), for the stub
# domains that opt in. Included by the top-level Makefile after the
# application rules; see lib/lwip/README.md.
#
# Opting in, in stubdom/<name>/app.mk or tests/xen/<name>/app.mk:
#     <name>_LIBC := newlib      # the POSIX layer the sockets plug into
#     <name>_NET := lwip
# gives the app's objects the socket headers (<sys/socket.h>, <netdb.h>,
# <stubos/net.h> ...) and links $(LWIP_LIB) before the C library.
#
# The library is the pristine lwIP source tree from the dependency cache
# ($(LWIP_SRC), see lib/deps.mk) compiled with our port headers, plus the
# port itself (sys_arch, the vif glue, configuration, POSIX sockets).

ifndef LIBC_APP_CFLAGS
$(error lib/lwip/lwip.mk: include it after lib/libc/libc.mk)
endif

LWIP_OUT := $(BUILD)/lib/lwip
LWIP_LIB := $(LWIP_OUT)/liblwip.a

# lwIP's own files (src/Filelists.mk, minus altcp, PPP, SNMP and the apps).
LWIP_UPSTREAM := \
	core/init core/def core/dns core/inet_chksum core/ip core/mem core/memp \
	core/netif core/pbuf core/raw core/stats core/sys core/tcp core/tcp_in \
	core/tcp_out core/timeouts core/udp \
	core/ipv4/dhcp core/ipv4/etharp core/ipv4/icmp core/ipv4/igmp \
	core/ipv4/ip4_frag core/ipv4/ip4 core/ipv4/ip4_addr \
	core/ipv6/ethip6 core/ipv6/icmp6 core/ipv6/inet6 core/ipv6/ip6 \
	core/ipv6/ip6_addr core/ipv6/ip6_frag core/ipv6/mld6 core/ipv6/nd6 \
	api/api_lib api/api_msg api/err api/if_api api/netbuf api/netdb \
	api/sockets api/tcpip \
	netif/ethernet
LWIP_PORT_SRCS := $(wildcard lib/lwip/*.c)

LWIP_UPSTREAM_OBJS := $(patsubst %,$(LWIP_OUT)/src/%.o,$(LWIP_UPSTREAM))
LWIP_PORT_OBJS := $(patsubst lib/lwip/%.c,$(LWIP_OUT)/port/%.o,$(LWIP_PORT_SRCS))

# Headers: ours first (lwipopts.h, arch/, the POSIX socket headers), then
# lwIP's, then the C library's (LIBC_APP_CFLAGS: lib/libc/include, newlib,
# the compiler's). fd_set must hold every descriptor (LIBC_FD_MAX), and
# lwIP checks that it holds all of its sockets.
LWIP_INCLUDES := -Ilib/lwip/include/posix -Ilib/lwip/include -I$(LWIP_SRC)/include \
	-DFD_SETSIZE=256
# lwIP is third-party code: its warnings are not ours to fix.
LWIP_UPSTREAM_CFLAGS := $(filter-out -Werror -Wextra,$(LIBC_APP_CFLAGS)) -Wno-unused-parameter \
	$(LWIP_INCLUDES)
LWIP_PORT_CFLAGS := $(LIBC_APP_CFLAGS) $(LWIP_INCLUDES)
# What an opted-in application's objects get on top of LIBC_APP_CFLAGS.
LWIP_APP_CFLAGS := $(LWIP_INCLUDES)

# The sources exist once the dependency cache has unpacked them.
$(addprefix $(LWIP_SRC)/,$(addsuffix .c,$(LWIP_UPSTREAM))): | $(LWIP_STAMP) ;

$(LWIP_OUT)/src/%.o: $(LWIP_SRC)/%.c lib/lwip/include/lwipopts.h | $(LWIP_STAMP) $(NEWLIB_STAMP)
	$(quiet) CC "lwip/$*.c"
	$(Q)mkdir -p $(@D) && $(CC) $(LWIP_UPSTREAM_CFLAGS) -c $< -o $@

$(LWIP_OUT)/port/%.o: lib/lwip/%.c | $(LWIP_STAMP) $(NEWLIB_STAMP) $(XENINC)/xen/xen.h
	$(quiet) CC $<
	$(Q)mkdir -p $(@D) && $(CC) $(LWIP_PORT_CFLAGS) -c $< -o $@

$(LWIP_LIB): $(LWIP_UPSTREAM_OBJS) $(LWIP_PORT_OBJS)
	$(quiet) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

.PHONY: lwip
lwip: $(LWIP_LIB)

# ---- per-application opt-in (runs after the app rules read every app.mk) ----
# lwip_app DIR NAME: compile flags, the library ahead of the C library on
# the link line (it needs libc's fd table, memcpy, errno ...), and the
# ordering that lets the objects see lwIP's headers.
define lwip_app
$(if $(filter newlib,$($(2)_LIBC)),,$(error $(1)/app.mk: $(2)_NET := lwip needs $(2)_LIBC := newlib too))
$(2)_CFLAGS += $$(LWIP_APP_CFLAGS)
$(2)_LIBS := $(LWIP_LIB) $($(2)_LIBS)
$$($(2)_OBJS): | $(LWIP_STAMP) $(NEWLIB_STAMP)
$(BUILD)/$(1)/$(2).elf: $(LWIP_LIB)
endef

$(foreach s,$(STUBDOMS),$(if $(filter lwip,$($(s)_NET)),$(eval $(call lwip_app,stubdom/$(s),$(s)))))
$(foreach t,$(GUEST_TESTS),$(if $(filter lwip,$($(t)_NET)),$(eval $(call lwip_app,tests/xen/$(t),$(t)))))
