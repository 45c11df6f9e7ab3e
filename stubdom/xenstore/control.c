/* CONTROL requests (xenstore-control). The command set is implementation
 * specific; these are the ones C xenstored has that make sense without a
 * file system:
 *
 *   check                       run the store self-check      -> "OK" or EIO
 *   help                        list the commands
 *   log [on|off]                log every request with printk -> "OK" / state
 *   memreport                   counters and sizes
 *   print <text>                print text on the console     -> "OK"
 *   quota [set <name> <value> | <domid>]   see quota.h
 *
 * Only privileged connections reach this (request.c). */
#include <minios/console.h>
#include <minios/errno.h>
#include <minios/format.h>
#include <minios/string.h>

#include "quota.h"
#include "server.h"

static int reply_text(char *buf, size_t size, const char *text)
{
    int n = ksnprintf(buf, size, "%s", text);
    return (n < 0 || (size_t)n >= size) ? -E2BIG : n + 1;
}

static int do_print(const char *const *argv, unsigned argc, char *buf, size_t size)
{
    char line[200];
    size_t i = 0;
    if (argc < 2)
        return -EINVAL;
    /* The text is the client's: keep control characters off the console. */
    for (const char *s = argv[1]; *s && i + 1 < sizeof(line); s++)
        line[i++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
    line[i] = '\0';
    printk("xenstored: %s\n", line);
    return reply_text(buf, size, "OK");
}

static int do_log(struct xsd_server *srv, const char *const *argv, unsigned argc, char *buf,
                  size_t size)
{
    if (argc == 1)
        return reply_text(buf, size, srv->log_requests ? "on" : "off");
    if (argc == 2 && strcmp(argv[1], "on") == 0)
        srv->log_requests = true;
    else if (argc == 2 && strcmp(argv[1], "off") == 0)
        srv->log_requests = false;
    else
        return -EINVAL;
    return reply_text(buf, size, "OK");
}

static int do_memreport(struct xsd_server *srv, char *buf, size_t size)
{
    struct xsd_stats s;
    xsd_get_stats(srv, &s);
    int n = ksnprintf(buf, size,
                      "nodes %u\nconnections %u\ndomains %u\nrequests %lu\nerror-replies %lu\n"
                      "watch-events %lu\nevents-dropped %lu\ncommits %lu\nconflicts %lu\n"
                      "protocol-errors %lu\ninternal-errors %lu\n",
                      s.nodes, s.connections, s.domains, (unsigned long)s.requests,
                      (unsigned long)s.error_replies, (unsigned long)s.watch_events,
                      (unsigned long)s.events_dropped, (unsigned long)s.commits,
                      (unsigned long)s.conflicts, (unsigned long)s.protocol_errors,
                      (unsigned long)s.internal_errors);
    return (n < 0 || (size_t)n >= size) ? -E2BIG : n + 1;
}

int control_command(struct xsd_server *srv, const char *const *argv, unsigned argc, char *buf,
                    size_t size)
{
    if (argc == 0)
        return -EINVAL;
    const char *cmd = argv[0];
    if (strcmp(cmd, "check") == 0)
        return xsd_check(srv) == 0 ? reply_text(buf, size, "OK") : -EIO;
    if (strcmp(cmd, "help") == 0)
        return reply_text(buf, size,
                          "check\nhelp\nlog [on|off]\nmemreport\nprint <text>\n"
                          "quota [set <name> <value>|<domid>]\n");
    if (strcmp(cmd, "log") == 0)
        return do_log(srv, argv, argc, buf, size);
    if (strcmp(cmd, "memreport") == 0)
        return do_memreport(srv, buf, size);
    if (strcmp(cmd, "print") == 0)
        return do_print(argv, argc, buf, size);
    if (strcmp(cmd, "quota") == 0)
        return quota_control(srv, argv + 1, argc - 1, buf, size);
    return -EINVAL;
}
