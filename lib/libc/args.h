/* Splitting the kernel's argv into the environment and main()'s argv.
 * Uses only the C library's headers: the host unit test
 * (tests/unit/libc_args.c) builds args.c unchanged. */
#ifndef LIBC_ARGS_H
#define LIBC_ARGS_H

#include <stdbool.h>

/* True if word is NAME=value with NAME made of upper-case letters, digits
 * and '_', not starting with a digit (POSIX's portable environment names). */
bool args_is_env_word(const char *word);

/* argv[0..argc) is the kernel's argv (argv[0] the program name, the rest
 * the words of xl's extra=). The leading run of environment words after
 * argv[0] moves to env, in order, NULL-terminated (env needs room for argc
 * entries); a word "--" ends the run and is dropped. argv keeps argv[0]
 * and the remaining words, compacted and NULL-terminated (argv must have
 * room for argc + 1 entries). Returns the new argc. */
int args_split_env(int argc, char **argv, char **env);

#endif
