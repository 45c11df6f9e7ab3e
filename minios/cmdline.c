/* Command-line word splitting, done in place: the output words are packed
 * into the same buffer, so no allocation is needed this early. */
#include <minios/cmdline.h>
#include <minios/errno.h>

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int cmdline_split(char *buf, char **words, int max)
{
    char *in = buf, *out = buf;
    int count = 0;

    for (;;) {
        while (is_blank(*in))
            in++;
        if (*in == '\0')
            return count;
        if (count == max)
            return -E2BIG;
        words[count++] = out;
        char quote = 0;
        while (*in && (quote || !is_blank(*in))) {
            char c = *in++;
            if (quote && c == quote) {
                quote = 0;
            } else if (!quote && (c == '\'' || c == '"')) {
                quote = c;
            } else if (c == '\\' && quote != '\'' && *in) {
                *out++ = *in++;
            } else {
                *out++ = c;
            }
        }
        if (quote)
            return -EINVAL;
        /* The terminator may overwrite the blank we stopped at, which is
         * fine: out never runs ahead of in. */
        if (*in)
            in++;
        *out++ = '\0';
    }
}
