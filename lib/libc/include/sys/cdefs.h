/* newlib's <sys/cdefs.h>, with __unused spelled as <minios/types.h> spells
 * it. Both mean "may be unused", but newlib writes __attribute__((__unused__))
 * and the kernel header __attribute__((unused)): an application including
 * both would get a macro-redefinition error under -Werror. Settling on the
 * kernel's spelling here works in either include order. */
#undef __unused
#include_next <sys/cdefs.h>
#undef __unused
#define __unused __attribute__((unused))
