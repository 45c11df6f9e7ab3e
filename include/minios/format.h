/* printf-style formatting without libc: the engine behind printk and ksnprintf.
 * Supported: flags "-+ #0", width and precision (also '*'), length modifiers
 * hh h l ll z t j, conversions d i u x X o c s p % (no floating point: the
 * kernel is built without SSE). Output goes to a sink so callers choose where
 * the bytes land (a buffer, the console). */
#ifndef MINIOS_FORMAT_H
#define MINIOS_FORMAT_H

#include <minios/types.h>

/* Receives n bytes of output (not NUL-terminated). */
typedef void (*format_sink_t)(void *ctx, const char *s, size_t n);

/* Returns the number of bytes produced. An unknown conversion is copied
 * through literally, so a bad format string never reads a missing argument. */
int format_v(format_sink_t sink, void *ctx, const char *fmt, va_list ap);

/* Like C's vsnprintf/snprintf: always NUL-terminates when size > 0 and
 * returns the length the full output would have had. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
