/* Kernel console: printk goes to the PV console ring (domU) or the
 * hypervisor's console_io (dom0), with an early path before either is up. */
#ifndef MINIOS_CONSOLE_H
#define MINIOS_CONSOLE_H

#include <minios/types.h>

int printk(const char *fmt, ...) __printf(1, 2);
int vprintk(const char *fmt, va_list ap);

/* Write raw bytes; '\n' becomes "\r\n" on the ring. */
void console_write(const char *s, size_t n);

/* Wait (bounded) until the backend has consumed everything written so far. */
void console_flush(void);

/* Read up to n bytes of console input; returns how many (0 if none). */
size_t console_read(char *buf, size_t n);

#endif

/* Internal: switch from the early path to the real console (arch start-up). */
void console_init(void);
/* Internal: start sleeping on the console event instead of polling. */
void console_events_init(void);
