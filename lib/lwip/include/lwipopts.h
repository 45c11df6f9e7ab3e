/* lwIP configuration for stubos (lwIP 2.1.3, see lib/lwip/README.md).
 *
 * The shape of the port:
 *  - NO_SYS=0 with LWIP_TCPIP_CORE_LOCKING: socket calls run the stack in the
 *    caller's thread under one mutex (the "core lock") instead of sending a
 *    message to the tcpip thread and sleeping until it answers. The tcpip
 *    thread still runs timers and the frames the vifs receive.
 *  - Received frames travel netfront thread -> tcpip mailbox -> tcpip thread
 *    (never processed in the netfront thread: sending from there could wait
 *    for TX ring space that only that same thread reclaims).
 *  - All memory comes from the kernel heap (kmalloc): no static pools to size,
 *    and limits come from TCP windows and mailbox sizes below. */
#ifndef STUBOS_LWIPOPTS_H
#define STUBOS_LWIPOPTS_H

/* ---- operating system glue (lib/lwip/sys_arch.c) ---- */
#define NO_SYS 0
#define SYS_LIGHTWEIGHT_PROT 1
#define LWIP_TCPIP_CORE_LOCKING 1
#define LWIP_TCPIP_CORE_LOCKING_INPUT 0
#define TCPIP_THREAD_NAME "lwip-tcpip"
#define TCPIP_THREAD_STACKSIZE 0 /* ignored: every kernel thread gets THREAD_STACK_SIZE */
#define TCPIP_THREAD_PRIO 0      /* ignored: the scheduler has no priorities */
#define TCPIP_MBOX_SIZE 512      /* RX frames + callbacks waiting for the tcpip thread */
#define DEFAULT_THREAD_STACKSIZE 0
#define DEFAULT_RAW_RECVMBOX_SIZE 64
#define DEFAULT_UDP_RECVMBOX_SIZE 128
#define DEFAULT_TCP_RECVMBOX_SIZE 128
#define DEFAULT_ACCEPTMBOX_SIZE 64
/* Debug check that stack internals run in the tcpip thread or under the
 * core lock (sys_arch.c). */
void stubos_lwip_assert_core_locked(void);
void stubos_lwip_mark_tcpip_thread(void);
#define LWIP_ASSERT_CORE_LOCKED() stubos_lwip_assert_core_locked()
#define LWIP_MARK_TCPIP_THREAD() stubos_lwip_mark_tcpip_thread()

/* ---- memory: everything from kmalloc ---- */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 16
void *stubos_lwip_malloc(unsigned long size);
void *stubos_lwip_calloc(unsigned long count, unsigned long size);
void stubos_lwip_free(void *p);
#define mem_clib_malloc stubos_lwip_malloc
#define mem_clib_calloc stubos_lwip_calloc
#define mem_clib_free stubos_lwip_free
/* A whole Ethernet frame fits one pool pbuf. */
#define PBUF_POOL_BUFSIZE 1536

/* ---- how many of each: sockets are a fixed table, the rest is heap ---- */
#define MEMP_NUM_NETCONN 256 /* = the number of lwIP sockets */
#define MEMP_NUM_TCP_PCB 256
#define MEMP_NUM_TCP_PCB_LISTEN 32
#define MEMP_NUM_UDP_PCB 32
#define MEMP_NUM_RAW_PCB 8

/* ---- link layer ---- */
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define ARP_TABLE_SIZE 64
#define ARP_QUEUEING 1
#define ETH_PAD_SIZE 0
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NETIF_HOSTNAME 1
#define LWIP_HAVE_LOOPIF 1
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_LOOPBACK_MAX_PBUFS 0
#define LWIP_SINGLE_NETIF 0
#define LWIP_CHECKSUM_ON_COPY 0
#define LWIP_CHKSUM_ALGORITHM 3

/* ---- IPv4 ---- */
#define LWIP_IPV4 1
#define LWIP_ICMP 1
#define LWIP_RAW 1
#define LWIP_DHCP 1
#define LWIP_DHCP_CHECK_LINK_UP 1
#define DHCP_DOES_ARP_CHECK 0 /* an address at once, not after a second of ARP probing */
#define LWIP_AUTOIP 0
#define LWIP_IGMP 1
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define IP_REASS_MAX_PBUFS 64

/* ---- IPv6: link-local always, SLAAC when a router advertises ---- */
#define LWIP_IPV6 1
#define LWIP_IPV6_AUTOCONFIG 1
#define LWIP_IPV6_MLD 1
#define LWIP_IPV6_DUP_DETECT_ATTEMPTS 1
#define LWIP_IPV6_FRAG 1
#define LWIP_IPV6_REASS 1
#define IPV6_FRAG_COPYHEADER 1 /* 64-bit pointers do not fit in the fragment header */
#define LWIP_ND6_NUM_NEIGHBORS 32
#define LWIP_ND6_QUEUEING 1
#define LWIP_IPV6_DHCP6 0

/* ---- UDP / TCP ---- */
#define LWIP_UDP 1
#define LWIP_TCP 1
#define TCP_MSS 1460
#define TCP_WND (44 * TCP_MSS) /* 64240: the largest window without window scaling */
#define TCP_SND_BUF (44 * TCP_MSS)
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)
#define TCP_SNDLOWAT (TCP_SND_BUF / 2)
#define TCP_QUEUE_OOSEQ 1
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 64
#define TCP_OVERSIZE TCP_MSS
#define LWIP_TCP_KEEPALIVE 1
#define LWIP_TCP_TIMESTAMPS 0
#define LWIP_TCP_SACK_OUT 0

/* ---- DNS (getaddrinfo also resolves names when a server is known) ---- */
#define LWIP_DNS 1
#define DNS_MAX_SERVERS 2

/* ---- sequential APIs: netconn under BSD sockets ---- */
#define LWIP_NETCONN 1
#define LWIP_SOCKET 1
#define LWIP_SOCKET_SELECT 0  /* select()/poll() are the POSIX layer's (lib/libc/poll.c) */
#define LWIP_SOCKET_POLL 1    /* keeps the per-socket readiness counters */
#define LWIP_COMPAT_SOCKETS 0 /* our <sys/socket.h> provides the POSIX names */
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_SOCKET_OFFSET 0
#define LWIP_SO_RCVTIMEO 1
#define LWIP_SO_SNDTIMEO 1
#define LWIP_SO_RCVBUF 1
#define LWIP_SO_LINGER 1
#define SO_REUSE 1
#define SO_REUSE_RXTOALL 1
#define LWIP_FIONREAD_LINUXMODE 1
#define LWIP_NETCONN_SEM_PER_THREAD 0
#define LWIP_NETCONN_FULLDUPLEX 0
#define LWIP_TIMEVAL_PRIVATE 0 /* newlib's <sys/time.h> has struct timeval */
#define LWIP_ERRNO_STDINCLUDE 1

/* ---- diagnostics ---- */
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
#define MEM_STATS 0
#define MEMP_STATS 0
#define SYS_STATS 0
#define LWIP_DEBUG_TIMERNAMES 0

#endif
