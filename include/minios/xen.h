/* Xen public interface, as the kernel sees it: the public headers from
 * Debian's libxen-dev (reached through build/.../xeninc/xen, a symlink, so no
 * host libc header can leak in) plus the per-arch barriers ring.h needs. */
#ifndef MINIOS_XEN_H
#define MINIOS_XEN_H

#include <stdint.h>
#include <arch/cpu.h>
#include <xen/xen.h>
#include <xen/version.h>
#include <xen/sched.h>
#include <xen/event_channel.h>
#include <xen/memory.h>
#include <xen/vcpu.h>

#endif
