/* Host tests for lib/libc/args.c: which leading command-line words become
 * the environment, and what main() gets as argv. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "unit_test.h"

#define MAX_WORDS 16

/* Split the words of line (space-separated, no quoting: the kernel did that
 * already) as the kernel's argv would hold them, behind argv[0]. */
struct split {
    char buf[256];
    char *argv[MAX_WORDS + 1];
    char *env[MAX_WORDS];
    int argc;
};

static void run_split(struct split *s, const char *line)
{
    snprintf(s->buf, sizeof(s->buf), "%s", line);
    int n = 0;
    s->argv[n++] = "stubos";
    for (char *w = strtok(s->buf, " "); w && n < MAX_WORDS; w = strtok(NULL, " "))
        s->argv[n++] = w;
    s->argv[n] = NULL;
    s->argc = args_split_env(n, s->argv, s->env);
}

/* Join a NULL-terminated vector with '|' for easy comparison. */
static const char *join(char **v, char *out, size_t size)
{
    out[0] = '\0';
    for (int i = 0; v[i]; i++) {
        if (i)
            strncat(out, "|", size - strlen(out) - 1);
        strncat(out, v[i], size - strlen(out) - 1);
    }
    return out;
}

static void expect(const char *name, const char *line, const char *want_env, const char *want_argv)
{
    struct split s;
    char env[256], argv[256];
    run_split(&s, line);
    join(s.env, env, sizeof(env));
    join(s.argv, argv, sizeof(argv));
    int want_argc = 1;
    for (const char *p = want_argv; *p; p++)
        want_argc += *p == '|';
    bool ok = strcmp(env, want_env) == 0 && strcmp(argv, want_argv) == 0 && s.argc == want_argc &&
              s.argv[s.argc] == NULL;
    unit_check(name, ok,
               "\"%s\": env \"%s\" argv \"%s\" argc %d; want env \"%s\" argv \"%s\" argc %d", line,
               env, argv, s.argc, want_env, want_argv, want_argc);
}

int main(void)
{
    expect("args-empty", "", "", "stubos");
    expect("args-plain", "-v serve 80", "", "stubos|-v|serve|80");
    expect("args-env-only", "HOME=/ TERM=xterm", "HOME=/|TERM=xterm", "stubos");
    expect("args-env-then-args", "PORT=80 DEBUG=1 serve --port=81", "PORT=80|DEBUG=1",
           "stubos|serve|--port=81");
    /* Only the leading run: a later NAME=value word is an argument. */
    expect("args-env-only-leading", "A=1 run B=2", "A=1", "stubos|run|B=2");
    /* Lower-case names are program options (dd-style), not environment. */
    expect("args-lowercase-is-arg", "greeting=hello verbose", "", "stubos|greeting=hello|verbose");
    expect("args-mixed-case-is-arg", "Path=/bin", "", "stubos|Path=/bin");
    expect("args-underscore-digits", "_X1=a LIBC_HEAP=50% go", "_X1=a|LIBC_HEAP=50%", "stubos|go");
    expect("args-empty-value", "EMPTY= x", "EMPTY=", "stubos|x");
    expect("args-value-with-equals", "OPTS=a=b,c=d x", "OPTS=a=b,c=d", "stubos|x");
    /* Not names: leading digit, empty name, no '=' at all. */
    expect("args-digit-start", "1X=2 y", "", "stubos|1X=2|y");
    expect("args-empty-name", "=x y", "", "stubos|=x|y");
    expect("args-no-equals", "FOO", "", "stubos|FOO");
    /* "--" ends the environment and is dropped, once. */
    expect("args-dashdash", "A=1 -- B=2 c", "A=1", "stubos|B=2|c");
    expect("args-dashdash-first", "-- A=1", "", "stubos|A=1");
    expect("args-dashdash-twice", "-- -- x", "", "stubos|--|x");
    expect("args-dashdash-later-kept", "x -- y", "", "stubos|x|--|y");
    expect("args-dashdash-alone", "--", "", "stubos");

    unit_check("args-is-env-word",
               args_is_env_word("A=") && args_is_env_word("A_B9=x") && !args_is_env_word("a=b") &&
                   !args_is_env_word("A") && !args_is_env_word("") && !args_is_env_word("A-B=1"),
               "classification wrong");

    /* argc == 0 (no argv[0] at all) must not write outside the arrays. */
    char *argv0[1] = {NULL};
    char *env0[1];
    int n = args_split_env(0, argv0, env0);
    unit_check("args-argc-zero", n == 0 && argv0[0] == NULL && env0[0] == NULL, "argc %d", n);
    return unit_finish("libc_args");
}
