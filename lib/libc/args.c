/* The environment/argument split of the domain command line (args.h; the
 * rules are documented in lib/libc/README.md). */
#include <stddef.h>

#include "args.h"

static bool is_name_start(char c)
{
    return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

bool args_is_env_word(const char *word)
{
    if (!is_name_start(word[0]))
        return false;
    const char *p = word + 1;
    while (is_name_char(*p))
        p++;
    return *p == '=';
}

int args_split_env(int argc, char **argv, char **env)
{
    int in = 1, envc = 0;
    while (in < argc && args_is_env_word(argv[in]))
        env[envc++] = argv[in++];
    env[envc] = NULL;
    /* "--" right after the environment words ends them; it is dropped so
     * that "-- FOO=bar" passes FOO=bar to main() as an argument. */
    if (in < argc && argv[in][0] == '-' && argv[in][1] == '-' && argv[in][2] == '\0')
        in++;
    int out = argc > 0 ? 1 : 0;
    while (in < argc)
        argv[out++] = argv[in++];
    argv[out] = NULL;
    return out;
}
