/* Splitting the domain command line into words. */
#ifndef MINIOS_CMDLINE_H
#define MINIOS_CMDLINE_H

#include <minios/types.h>

/* Split buf in place into at most max words (shell-like: blanks separate,
 * '...' and "..." group, backslash escapes the next character outside
 * single quotes). Returns the word count, or -E2BIG if there are more than
 * max words, or -EINVAL for an unterminated quote (buf is then garbage). */
int cmdline_split(char *buf, char **words, int max);

#endif
