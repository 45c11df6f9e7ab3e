/* Host tests for minios/xs_codec.c: request encoding, path checks, every
 * reply type with good and malformed payloads, permissions, and the ring
 * index arithmetic across the 2^32 wrap. Inputs are copied into buffers of
 * exactly their length, so ASan flags any read past a payload. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <minios/errno.h>
#include <minios/xs_codec.h>

#include "unit_test.h"

/* A heap copy of exactly len bytes (ASan catches over-reads). Freed by
 * the caller. */
static char *exact(const char *bytes, size_t len)
{
    char *p = malloc(len ? len : 1);
    if (len)
        memcpy(p, bytes, len);
    return p;
}

/* ---------------------------------------------------------------- encoding */

static struct xsd_sockmsg header_of(const char *buf)
{
    struct xsd_sockmsg h;
    memcpy(&h, buf, sizeof(h));
    return h;
}

static void test_encode_basic(void)
{
    char buf[XS_MSG_MAX];
    struct xs_part read_parts[] = {xs_part_str("device/vif/0/state")};
    int n = xs_encode(buf, sizeof(buf), XS_READ, 7, 0, read_parts, 1);
    struct xsd_sockmsg h = header_of(buf);
    unit_check("encoded_len_read", xs_encoded_len(read_parts, 1) == 16 + 19, "wrong");
    unit_check("encode_read",
               n == 16 + 19 && h.type == XS_READ && h.req_id == 7 && h.tx_id == 0 && h.len == 19 &&
                   memcmp(buf + 16, "device/vif/0/state", 19) == 0,
               "n=%d type=%u req=%u tx=%u len=%u", n, h.type, h.req_id, h.tx_id, h.len);

    struct xs_part write_parts[] = {xs_part_str("/a/b"), xs_part_bytes("v\0x", 3)};
    n = xs_encode(buf, sizeof(buf), XS_WRITE, 9, 42, write_parts, 2);
    h = header_of(buf);
    unit_check("encode_write_value_has_no_nul",
               n == 16 + 8 && h.len == 8 && h.tx_id == 42 && memcmp(buf + 16, "/a/b\0v\0x", 8) == 0,
               "n=%d len=%u", n, h.len);

    struct xs_part watch_parts[] = {xs_part_str("control/shutdown"), xs_part_str("tok")};
    n = xs_encode(buf, sizeof(buf), XS_WATCH, 1, 0, watch_parts, 2);
    unit_check("encode_two_strings",
               n == 16 + 21 && memcmp(buf + 16, "control/shutdown\0tok\0", 21) == 0, "n=%d", n);

    struct xs_part empty[] = {xs_part_str("")};
    n = xs_encode(buf, sizeof(buf), XS_TRANSACTION_START, 2, 0, empty, 1);
    h = header_of(buf);
    unit_check("encode_empty_string", n == 17 && h.len == 1 && buf[16] == '\0', "n=%d", n);

    n = xs_encode(buf, sizeof(buf), XS_RESET_WATCHES, 3, 0, NULL, 0);
    h = header_of(buf);
    unit_check("encode_no_parts", n == 16 && h.len == 0 && h.type == XS_RESET_WATCHES, "n=%d", n);

    struct xs_part null_empty[] = {xs_part_bytes(NULL, 0)};
    n = xs_encode(buf, sizeof(buf), XS_WRITE, 3, 0, null_empty, 1);
    unit_check("encode_null_zero_length_ok", n == 16, "n=%d", n);
}

static void test_encode_limits(void)
{
    static char big[XENSTORE_PAYLOAD_MAX + 2];
    char *buf = malloc(XS_MSG_MAX);
    memset(big, 'x', sizeof(big));

    struct xs_part full[] = {xs_part_bytes(big, XENSTORE_PAYLOAD_MAX)};
    int n = xs_encode(buf, XS_MSG_MAX, XS_WRITE, 1, 0, full, 1);
    unit_check("encode_payload_exactly_max", n == (int)XS_MSG_MAX, "n=%d", n);
    n = xs_encoded_len(full, 1);
    unit_check("encoded_len_max", n == (int)XS_MSG_MAX, "n=%d", n);

    struct xs_part over[] = {xs_part_bytes(big, XENSTORE_PAYLOAD_MAX + 1)};
    n = xs_encode(buf, XS_MSG_MAX, XS_WRITE, 1, 0, over, 1);
    unit_check("encode_payload_max_plus_1", n == -E2BIG, "n=%d", n);
    n = xs_encoded_len(over, 1);
    unit_check("encoded_len_over", n == -E2BIG, "n=%d", n);

    /* A 4096-byte string needs 4097 bytes with its NUL. */
    struct xs_part str_full[] = {{big, XENSTORE_PAYLOAD_MAX, true}};
    n = xs_encode(buf, XS_MSG_MAX, XS_READ, 1, 0, str_full, 1);
    unit_check("encode_string_nul_over_max", n == -E2BIG, "n=%d", n);

    struct xs_part path_and_value[] = {{big, 100, true}, xs_part_bytes(big, 3995)};
    n = xs_encode(buf, XS_MSG_MAX, XS_WRITE, 1, 0, path_and_value, 2);
    unit_check("encode_two_parts_exactly_max", n == (int)XS_MSG_MAX, "n=%d", n);
    path_and_value[1].len = 3996;
    n = xs_encode(buf, XS_MSG_MAX, XS_WRITE, 1, 0, path_and_value, 2);
    unit_check("encode_two_parts_over_max", n == -E2BIG, "n=%d", n);

    struct xs_part huge[] = {xs_part_bytes(big, 10), xs_part_bytes(big, SIZE_MAX - 5)};
    n = xs_encode(buf, XS_MSG_MAX, XS_WRITE, 1, 0, huge, 2);
    unit_check("encode_length_overflow", n == -E2BIG, "n=%d", n);

    struct xs_part small[] = {xs_part_str("abc")};
    n = xs_encode(buf, 16 + 3, XS_READ, 1, 0, small, 1);
    unit_check("encode_buffer_one_short", n == -ENOSPC, "n=%d", n);
    char *tight = malloc(16 + 4);
    n = xs_encode(tight, 16 + 4, XS_READ, 1, 0, small, 1);
    unit_check("encode_buffer_exact", n == 20 && memcmp(tight + 16, "abc", 4) == 0, "n=%d", n);
    free(tight);
    n = xs_encode(NULL, 0, XS_READ, 1, 0, small, 1);
    unit_check("encode_null_buffer", n == -ENOSPC, "n=%d", n);

    struct xs_part nul_inside[] = {{"a\0b", 3, true}};
    n = xs_encode(buf, XS_MSG_MAX, XS_READ, 1, 0, nul_inside, 1);
    unit_check("encode_string_with_nul", n == -EINVAL, "n=%d", n);

    struct xs_part null_data[] = {xs_part_bytes(NULL, 4)};
    n = xs_encode(buf, XS_MSG_MAX, XS_WRITE, 1, 0, null_data, 1);
    unit_check("encode_null_data", n == -EINVAL, "n=%d", n);
    free(buf);
}

static char *repeat(char c, size_t n, const char *prefix)
{
    size_t p = strlen(prefix);
    char *s = malloc(p + n + 1);
    memcpy(s, prefix, p);
    memset(s + p, c, n);
    s[p + n] = '\0';
    return s;
}

static void check_path(const char *name, const char *path, int want)
{
    char *copy = path ? exact(path, strlen(path) + 1) : NULL;
    int rc = xs_check_path(copy);
    unit_check(name, rc == want, "xs_check_path(\"%s\") = %d, want %d", path ? path : "(null)", rc,
               want);
    free(copy);
}

static void test_paths(void)
{
    check_path("path_absolute", "/local/domain/1/data", 0);
    check_path("path_relative", "device/vif/0/state", 0);
    check_path("path_root", "/", 0);
    check_path("path_special_watch", "@releaseDomain", 0);
    check_path("path_all_chars", "/aZ09-_@/x", 0);
    check_path("path_null", NULL, -EINVAL);
    check_path("path_empty", "", -EINVAL);
    check_path("path_double_slash", "/a//b", -EINVAL);
    check_path("path_trailing_slash", "/a/b/", -EINVAL);
    check_path("path_relative_trailing_slash", "a/", -EINVAL);
    check_path("path_space", "/a b", -EINVAL);
    check_path("path_colon", "/a:b", -EINVAL);
    check_path("path_dot", "/a/.", -EINVAL);
    check_path("path_high_byte", "/a\xc3\xa9", -EINVAL);
    check_path("path_newline", "/a\n", -EINVAL);

    char *s = repeat('a', XENSTORE_ABS_PATH_MAX - 1, "/");
    check_path("path_abs_at_limit", s, 0);
    free(s);
    s = repeat('a', XENSTORE_ABS_PATH_MAX, "/");
    check_path("path_abs_over_limit", s, -E2BIG);
    free(s);
    s = repeat('a', XENSTORE_REL_PATH_MAX, "");
    check_path("path_rel_at_limit", s, 0);
    free(s);
    s = repeat('a', XENSTORE_REL_PATH_MAX + 1, "");
    check_path("path_rel_over_limit", s, -E2BIG);
    free(s);
    s = repeat('a', 100000, "/");
    check_path("path_very_long", s, -E2BIG);
    free(s);
}

/* ---------------------------------------------------------------- reply headers */

static void test_reply_headers(void)
{
    static const uint32_t known[] = {
        XS_CONTROL,
        XS_DIRECTORY,
        XS_READ,
        XS_GET_PERMS,
        XS_WATCH,
        XS_UNWATCH,
        XS_TRANSACTION_START,
        XS_TRANSACTION_END,
        XS_INTRODUCE,
        XS_RELEASE,
        XS_GET_DOMAIN_PATH,
        XS_WRITE,
        XS_MKDIR,
        XS_RM,
        XS_SET_PERMS,
        XS_WATCH_EVENT,
        XS_ERROR,
        XS_IS_DOMAIN_INTRODUCED,
        XS_RESUME,
        XS_SET_TARGET,
        XS_RESET_WATCHES,
        XS_DIRECTORY_PART,
    };
    int bad = 0;
    for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
        struct xsd_sockmsg h = {.type = known[i], .len = 3};
        if (xs_check_reply_header(&h) != 0 || strcmp(xs_type_name(known[i]), "?") == 0)
            bad++;
    }
    unit_check("header_known_types", bad == 0, "%d known types rejected", bad);

    struct xsd_sockmsg h = {.type = XS_SET_TARGET + 1, .len = 0};
    unit_check("header_removed_restrict", xs_check_reply_header(&h) == -EPROTO, "accepted");
    h.type = XS_TYPE_COUNT;
    unit_check("header_type_count", xs_check_reply_header(&h) == -EPROTO, "accepted");
    h.type = XS_INVALID;
    unit_check("header_invalid", xs_check_reply_header(&h) == -EPROTO, "accepted");
    h.type = UINT32_MAX;
    unit_check("header_type_max", xs_check_reply_header(&h) == -EPROTO, "accepted");
    unit_check("type_name_unknown", strcmp(xs_type_name(UINT32_MAX), "?") == 0, "%s",
               xs_type_name(UINT32_MAX));
    unit_check("type_name_read", strcmp(xs_type_name(XS_READ), "READ") == 0, "%s",
               xs_type_name(XS_READ));

    h = (struct xsd_sockmsg){.type = XS_READ, .len = XENSTORE_PAYLOAD_MAX};
    unit_check("header_len_max", xs_check_reply_header(&h) == 0, "rejected");
    h.len = XENSTORE_PAYLOAD_MAX + 1;
    unit_check("header_len_over", xs_check_reply_header(&h) == -EBADMSG, "accepted");
    h.len = UINT32_MAX;
    unit_check("header_len_huge", xs_check_reply_header(&h) == -EBADMSG, "accepted");
    h.type = 999; /* framing is the worse problem: report it */
    unit_check("header_bad_len_and_type", xs_check_reply_header(&h) == -EBADMSG, "wrong code");
}

/* ---------------------------------------------------------------- payloads */

static void check_payload(const char *name, uint32_t type, const char *bytes, uint32_t len,
                          int want)
{
    char *copy = exact(bytes, len);
    int rc = xs_check_reply_payload(type, copy, len);
    unit_check(name, rc == want, "%s payload (len %u): got %d, want %d", xs_type_name(type), len,
               rc, want);
    free(copy);
}

#define P(s) s, (uint32_t)sizeof(s) - 1 /* a literal, its explicit NULs included */

static void test_payload_rules(void)
{
    check_payload("reply_read_text", XS_READ, P("value"), 0);
    check_payload("reply_read_binary", XS_READ, P("a\0b\0"), 0);
    check_payload("reply_read_empty", XS_READ, P(""), 0);

    check_payload("reply_ok", XS_WRITE, P("OK\0"), 0);
    check_payload("reply_ok_no_nul", XS_WRITE, P("OK"), -EBADMSG);
    check_payload("reply_ok_extra", XS_MKDIR, P("OK\0\0"), -EBADMSG);
    check_payload("reply_ok_wrong", XS_RM, P("NO\0"), -EBADMSG);
    check_payload("reply_ok_empty", XS_WATCH, P(""), -EBADMSG);
    check_payload("reply_ok_unwatch", XS_UNWATCH, P("OK\0"), 0);
    check_payload("reply_ok_set_perms", XS_SET_PERMS, P("OK\0"), 0);
    check_payload("reply_ok_transaction_end", XS_TRANSACTION_END, P("OK\0"), 0);

    check_payload("reply_error", XS_ERROR, P("ENOENT\0"), 0);
    check_payload("reply_error_no_nul", XS_ERROR, P("ENOENT"), -EBADMSG);
    check_payload("reply_error_empty_string", XS_ERROR, P("\0"), -EBADMSG);
    check_payload("reply_error_empty", XS_ERROR, P(""), -EBADMSG);
    check_payload("reply_error_two_strings", XS_ERROR, P("EIO\0x\0"), -EBADMSG);

    check_payload("reply_directory", XS_DIRECTORY, P("a\0bb\0ccc\0"), 0);
    check_payload("reply_directory_empty", XS_DIRECTORY, P(""), 0);
    check_payload("reply_directory_truncated", XS_DIRECTORY, P("a\0bb"), -EBADMSG);
    check_payload("reply_directory_part", XS_DIRECTORY_PART, P("17\0a\0b\0\0"), 0);
    check_payload("reply_directory_part_no_gen", XS_DIRECTORY_PART, P("a\0b\0"), -EBADMSG);
    check_payload("reply_directory_part_empty", XS_DIRECTORY_PART, P(""), -EBADMSG);

    check_payload("reply_get_perms", XS_GET_PERMS, P("n0\0r5\0b65535\0w7\0"), 0);
    check_payload("reply_get_perms_empty", XS_GET_PERMS, P(""), -EBADMSG);
    check_payload("reply_get_perms_bad_letter", XS_GET_PERMS, P("x5\0"), -EBADMSG);
    check_payload("reply_get_perms_no_domid", XS_GET_PERMS, P("r\0"), -EBADMSG);
    check_payload("reply_get_perms_big_domid", XS_GET_PERMS, P("r65536\0"), -EBADMSG);
    check_payload("reply_get_perms_sign", XS_GET_PERMS, P("r-1\0"), -EBADMSG);
    check_payload("reply_get_perms_truncated", XS_GET_PERMS, P("r5\0b"), -EBADMSG);
    check_payload("reply_get_perms_double_nul", XS_GET_PERMS, P("r5\0\0"), -EBADMSG);

    check_payload("reply_watch_event", XS_WATCH_EVENT, P("/a/b\0tok\0"), 0);
    check_payload("reply_watch_event_empty_token", XS_WATCH_EVENT, P("/a\0\0"), 0);
    check_payload("reply_watch_event_no_token", XS_WATCH_EVENT, P("/a/b\0"), -EBADMSG);
    check_payload("reply_watch_event_token_no_nul", XS_WATCH_EVENT, P("/a/b\0tok"), -EBADMSG);
    check_payload("reply_watch_event_three", XS_WATCH_EVENT, P("/a\0t\0x\0"), -EBADMSG);
    check_payload("reply_watch_event_empty_path", XS_WATCH_EVENT, P("\0t\0"), -EBADMSG);
    check_payload("reply_watch_event_empty", XS_WATCH_EVENT, P(""), -EBADMSG);

    check_payload("reply_tx_start", XS_TRANSACTION_START, P("42\0"), 0);
    check_payload("reply_tx_start_max", XS_TRANSACTION_START, P("4294967295\0"), 0);
    check_payload("reply_tx_start_overflow", XS_TRANSACTION_START, P("4294967296\0"), -EBADMSG);
    check_payload("reply_tx_start_zero", XS_TRANSACTION_START, P("0\0"), -EBADMSG);
    check_payload("reply_tx_start_garbage", XS_TRANSACTION_START, P("12a\0"), -EBADMSG);
    check_payload("reply_tx_start_no_nul", XS_TRANSACTION_START, P("42"), -EBADMSG);
    check_payload("reply_tx_start_blank", XS_TRANSACTION_START, P("\0"), -EBADMSG);

    check_payload("reply_introduced_t", XS_IS_DOMAIN_INTRODUCED, P("T\0"), 0);
    check_payload("reply_introduced_f", XS_IS_DOMAIN_INTRODUCED, P("F\0"), 0);
    check_payload("reply_introduced_x", XS_IS_DOMAIN_INTRODUCED, P("X\0"), -EBADMSG);

    check_payload("reply_domain_path", XS_GET_DOMAIN_PATH, P("/local/domain/3\0"), 0);
    check_payload("reply_domain_path_no_nul", XS_GET_DOMAIN_PATH, P("/local/domain/3"), -EBADMSG);
    check_payload("reply_control", XS_CONTROL, P("check\0"), 0);

    int rc = xs_check_reply_payload(XS_READ, NULL, 5);
    unit_check("reply_null_payload", rc == -EBADMSG, "rc=%d", rc);
    static char big[XENSTORE_PAYLOAD_MAX + 1];
    rc = xs_check_reply_payload(XS_READ, big, sizeof(big));
    unit_check("reply_payload_oversize", rc == -EBADMSG, "rc=%d", rc);
}

static void test_error_mapping(void)
{
    static const struct {
        const char *name;
        int want;
    } cases[] = {
        {"EINVAL", -EINVAL},       {"EACCES", -EACCES},   {"EEXIST", -EEXIST}, {"EISDIR", -EISDIR},
        {"ENOENT", -ENOENT},       {"ENOMEM", -ENOMEM},   {"ENOSPC", -ENOSPC}, {"EIO", -EIO},
        {"ENOTEMPTY", -ENOTEMPTY}, {"ENOSYS", -ENOSYS},   {"EROFS", -EROFS},   {"EBUSY", -EBUSY},
        {"EAGAIN", -EAGAIN},       {"EISCONN", -EISCONN}, {"E2BIG", -E2BIG},   {"EPERM", -EPERM},
        {"EQUOTA", -EDQUOT},       {"EWHATEVER", -EIO},   {"ENOEN", -EIO},     {"ENOENTX", -EIO},
    };
    int bad = 0;
    char why[128] = "";
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint32_t len = (uint32_t)strlen(cases[i].name) + 1;
        char *copy = exact(cases[i].name, len);
        int rc = xs_error_to_errno(copy, len);
        if (rc != cases[i].want && bad++ == 0)
            snprintf(why, sizeof(why), "%s -> %d, want %d", cases[i].name, rc, cases[i].want);
        free(copy);
    }
    unit_check("error_names", bad == 0, "%d wrong; first: %s", bad, why);

    char *copy = exact("ENOENT", 6);
    int rc = xs_error_to_errno(copy, 6);
    unit_check("error_no_nul", rc == -EIO, "rc=%d", rc);
    free(copy);
    rc = xs_error_to_errno(NULL, 0);
    unit_check("error_null", rc == -EIO, "rc=%d", rc);
}

/* ---------------------------------------------------------------- parsers */

static void test_split_strings(void)
{
    const char *names[4];
    char *p = exact(P("a\0bb\0ccc\0"));
    int n = xs_split_strings(p, 9, names, 4);
    unit_check("split_three",
               n == 3 && strcmp(names[0], "a") == 0 && strcmp(names[1], "bb") == 0 &&
                   strcmp(names[2], "ccc") == 0,
               "n=%d", n);
    n = xs_split_strings(p, 9, NULL, 0);
    unit_check("split_count_only", n == 3, "n=%d", n);
    n = xs_split_strings(p, 9, names, 2);
    unit_check("split_too_many", n == -E2BIG, "n=%d", n);
    n = xs_split_strings(p, 8, names, 4);
    unit_check("split_truncated", n == -EBADMSG, "n=%d", n);
    free(p);

    p = exact(P("\0\0"));
    n = xs_split_strings(p, 2, names, 4);
    unit_check("split_empty_strings", n == 2 && names[0][0] == 0 && names[1][0] == 0, "n=%d", n);
    free(p);
    n = xs_split_strings(NULL, 0, names, 4);
    unit_check("split_empty_payload", n == 0, "n=%d", n);
}

static void test_watch_event(void)
{
    const char *path = NULL, *token = NULL;
    char *p = exact(P("control/shutdown\0shutdown-watch\0"));
    int rc = xs_parse_watch_event(p, 32, &path, &token);
    unit_check("watch_event_parse",
               rc == 0 && strcmp(path, "control/shutdown") == 0 &&
                   strcmp(token, "shutdown-watch") == 0,
               "rc=%d", rc);
    rc = xs_parse_watch_event(p, 31, &path, &token);
    unit_check("watch_event_truncated", rc == -EBADMSG, "rc=%d", rc);
    rc = xs_parse_watch_event(p, 17, &path, &token);
    unit_check("watch_event_path_only", rc == -EBADMSG, "rc=%d", rc);
    free(p);
}

static void test_transaction_id(void)
{
    uint32_t id = 0;
    char *p = exact(P("123\0"));
    int rc = xs_parse_transaction_id(p, 4, &id);
    unit_check("tx_id_parse", rc == 0 && id == 123, "rc=%d id=%u", rc, id);
    free(p);
    p = exact(P("-1\0"));
    rc = xs_parse_transaction_id(p, 3, &id);
    unit_check("tx_id_negative", rc == -EBADMSG, "rc=%d", rc);
    free(p);

    uint32_t v = 0;
    rc = xs_parse_decimal("65535", 5, 65535, &v);
    unit_check("decimal_at_max", rc == 0 && v == 65535, "rc=%d v=%u", rc, v);
    rc = xs_parse_decimal("65536", 5, 65535, &v);
    unit_check("decimal_over_max", rc == -ERANGE, "rc=%d", rc);
    rc = xs_parse_decimal("00000000001", 11, UINT32_MAX, &v);
    unit_check("decimal_too_many_digits", rc == -ERANGE, "rc=%d", rc);
    rc = xs_parse_decimal("99999999999", 11, UINT32_MAX, &v);
    unit_check("decimal_overflow_u32", rc == -ERANGE, "rc=%d", rc);
    rc = xs_parse_decimal("", 0, UINT32_MAX, &v);
    unit_check("decimal_empty", rc == -EINVAL, "rc=%d", rc);
    rc = xs_parse_decimal(" 1", 2, UINT32_MAX, &v);
    unit_check("decimal_blank", rc == -EINVAL, "rc=%d", rc);
}

/* ---------------------------------------------------------------- permissions */

static void test_perms(void)
{
    struct xs_perm perms[4];
    static const char text[] = "n0\0r5\0b65535\0w7\0";
    const uint32_t len = sizeof(text) - 1;
    char *p = exact(text, len);
    int n = xs_parse_perms(p, len, perms, 4);
    unit_check("perms_parse",
               n == 4 && perms[0].access == XS_ACCESS_NONE && perms[0].domid == 0 &&
                   perms[1].access == XS_ACCESS_READ && perms[1].domid == 5 &&
                   perms[2].access == XS_ACCESS_BOTH && perms[2].domid == 65535 &&
                   perms[3].access == XS_ACCESS_WRITE && perms[3].domid == 7,
               "n=%d", n);
    n = xs_parse_perms(p, len, NULL, 0);
    unit_check("perms_count_only", n == 4, "n=%d", n);
    n = xs_parse_perms(p, len, perms, 3);
    unit_check("perms_too_many", n == -E2BIG, "n=%d", n);
    n = xs_parse_perms(p, len - 1, perms, 4);
    unit_check("perms_truncated", n == -EBADMSG, "n=%d", n);
    free(p);

    static const struct xs_perm cases[] = {
        {0, XS_ACCESS_NONE},   {1, XS_ACCESS_READ},     {42, XS_ACCESS_WRITE},
        {999, XS_ACCESS_BOTH}, {65535, XS_ACCESS_READ}, {10000, XS_ACCESS_NONE},
    };
    static const char *const texts[] = {"n0", "r1", "w42", "b999", "r65535", "n10000"};
    int bad = 0;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char buf[XS_PERM_TEXT_MAX];
        struct xs_perm back;
        int len = xs_perm_format(&cases[i], buf, sizeof(buf));
        if (len != (int)strlen(texts[i]) || strcmp(buf, texts[i]) != 0 ||
            xs_perm_parse(buf, (size_t)len, &back) != 0 || back.domid != cases[i].domid ||
            back.access != cases[i].access)
            bad++;
    }
    unit_check("perms_format_roundtrip", bad == 0, "%d cases wrong", bad);

    char buf[8];
    struct xs_perm perm = {65535, XS_ACCESS_BOTH};
    int rc = xs_perm_format(&perm, buf, 6);
    unit_check("perm_format_no_room", rc == -ENOSPC, "rc=%d", rc);
    rc = xs_perm_format(&perm, buf, 7);
    unit_check("perm_format_exact_room", rc == 6 && strcmp(buf, "b65535") == 0, "rc=%d", rc);
    perm.access = (enum xs_access)'q';
    rc = xs_perm_format(&perm, buf, sizeof(buf));
    unit_check("perm_format_bad_letter", rc == -EINVAL, "rc=%d", rc);
    rc = xs_perm_parse("r", 1, &perm);
    unit_check("perm_parse_letter_only", rc == -EINVAL, "rc=%d", rc);
    rc = xs_perm_parse("R5", 2, &perm);
    unit_check("perm_parse_upper_case", rc == -EINVAL, "rc=%d", rc);
}

/* ---------------------------------------------------------------- ring */

#define RING XENSTORE_RING_SIZE

static void test_ring_indices(void)
{
    unit_check("ring_empty", xs_ring_queued(0, 0) == 0 && xs_ring_free(0, 0) == RING, "wrong");
    unit_check("ring_full",
               xs_ring_queued(0, RING) == RING && xs_ring_free(0, RING) == 0 &&
                   xs_ring_write_contig(0, RING) == 0,
               "wrong");
    unit_check("ring_overfull_corrupt",
               xs_ring_queued(0, RING + 1) == -EIO && xs_ring_free(0, RING + 1) == -EIO &&
                   xs_ring_write_contig(0, RING + 1) == -EIO &&
                   xs_ring_read_contig(0, RING + 1) == -EIO,
               "accepted");
    unit_check("ring_cons_past_prod_corrupt", xs_ring_queued(100, 50) == -EIO, "accepted");

    uint32_t near = UINT32_MAX - 10;
    unit_check("ring_wrap_queued", xs_ring_queued(near, near + 20) == 20, "got %d",
               xs_ring_queued(near, near + 20));
    unit_check("ring_wrap_full",
               xs_ring_queued(near, near + RING) == RING && xs_ring_free(near, near + RING) == 0,
               "wrong");
    unit_check("ring_wrap_corrupt", xs_ring_queued(near, near + RING + 1) == -EIO, "accepted");
    unit_check("ring_both_wrapped", xs_ring_queued(5, 20) == 15, "wrong");
    unit_check("ring_max_indices",
               xs_ring_queued(UINT32_MAX, UINT32_MAX) == 0 && xs_ring_queued(UINT32_MAX, 0) == 1,
               "wrong");

    /* Contiguous pieces stop at the end of the array. */
    unit_check("ring_write_contig_at_end", xs_ring_write_contig(1000, 1000) == 24, "got %d",
               xs_ring_write_contig(1000, 1000));
    unit_check("ring_write_contig_limited_by_free",
               xs_ring_write_contig(0, 1000) == 24 && xs_ring_write_contig(10, 1020) == 4 &&
                   xs_ring_write_contig(1020, 2040) == 4,
               "wrong");
    /* 524 bytes free, but MASK(1530) = 506 leaves 518 before the end. */
    unit_check("ring_write_contig_limited_by_end", xs_ring_write_contig(1030, 1530) == 518,
               "got %d", xs_ring_write_contig(1030, 1530));
    uint32_t top = UINT32_MAX - 3; /* MASK(top) == 1020 */
    unit_check("ring_write_contig_near_u32_max", xs_ring_write_contig(top, top) == 4, "got %d",
               xs_ring_write_contig(top, top));
    unit_check("ring_read_contig_near_u32_max",
               xs_ring_read_contig(top, top + 100) == 4 &&
                   xs_ring_read_contig(top + 4, top + 100) == 96,
               "wrong");
    unit_check("ring_read_contig_empty", xs_ring_read_contig(top, top) == 0, "wrong");
}

static void test_ring_copy(void)
{
    char *ring = malloc(RING);
    uint8_t src[3000], dst[3000];
    for (size_t i = 0; i < sizeof(src); i++)
        src[i] = (uint8_t)(i * 7 + 3);
    memset(ring, 0, RING);

    uint32_t cons = UINT32_MAX - 100, prod = cons;
    int n = xs_ring_put(ring, cons, prod, src, sizeof(src));
    unit_check("ring_put_stops_when_full", n == RING, "n=%d", n);
    prod += (uint32_t)n;
    n = xs_ring_put(ring, cons, prod, src, 10);
    unit_check("ring_put_full_ring", n == 0, "n=%d", n);
    n = xs_ring_get(ring, cons, prod, dst, sizeof(dst));
    unit_check("ring_get_across_wrap", n == RING && memcmp(src, dst, RING) == 0, "n=%d", n);
    n = xs_ring_put(ring, cons, cons + RING + 1, src, 10);
    unit_check("ring_put_corrupt", n == -EIO, "n=%d", n);
    n = xs_ring_get(ring, cons, cons + RING + 1, dst, 10);
    unit_check("ring_get_corrupt", n == -EIO, "n=%d", n);
    n = xs_ring_get(ring, cons, cons, dst, 10);
    unit_check("ring_get_empty", n == 0, "n=%d", n);

    /* A producer and a consumer moving random amounts through the wrap of
     * both the array and the 32-bit indices: the stream must come out
     * intact and the queue never exceed the ring. */
    unit_srand(0x5eed);
    uint8_t stream_in[64 * 1024], stream_out[sizeof(stream_in)];
    for (size_t i = 0; i < sizeof(stream_in); i++)
        stream_in[i] = (uint8_t)unit_rand();
    uint32_t start = UINT32_MAX - 20000;
    cons = prod = start;
    size_t written = 0, read = 0;
    int overrun = 0;
    while (read < sizeof(stream_in)) {
        /* MIN evaluates its arguments twice: draw the random number first. */
        size_t r = unit_rand_below(1500);
        uint32_t want = (uint32_t)MIN(r, sizeof(stream_in) - written);
        n = xs_ring_put(ring, cons, prod, stream_in + written, want);
        if (n < 0 || xs_ring_queued(cons, prod + (uint32_t)n) < 0)
            overrun++;
        prod += (uint32_t)(n > 0 ? n : 0);
        written += (size_t)(n > 0 ? n : 0);
        r = unit_rand_below(1500);
        want = (uint32_t)MIN(r, sizeof(stream_out) - read);
        n = xs_ring_get(ring, cons, prod, stream_out + read, want);
        cons += (uint32_t)(n > 0 ? n : 0);
        read += (size_t)(n > 0 ? n : 0);
    }
    unit_check("ring_random_stream",
               overrun == 0 && memcmp(stream_in, stream_out, sizeof(stream_in)) == 0 &&
                   cons == prod && prod == start + (uint32_t)sizeof(stream_in),
               "overruns=%d", overrun);
    free(ring);
}

/* A full-size message goes through the ring in pieces and parses back. */
static void test_message_through_ring(void)
{
    char *msg = malloc(XS_MSG_MAX), *back = malloc(XS_MSG_MAX);
    char *ring = malloc(RING);
    static char value[XENSTORE_PAYLOAD_MAX];
    memset(value, 'v', sizeof(value));
    struct xs_part parts[] = {xs_part_str("/x"), xs_part_bytes(value, XENSTORE_PAYLOAD_MAX - 3)};
    /* Shaped like a READ reply: any payload bytes are valid. */
    int len = xs_encode(msg, XS_MSG_MAX, XS_READ, 77, 5, parts, 2);

    uint32_t cons = UINT32_MAX - 500, prod = cons, sent = 0, got = 0;
    int rounds = 0;
    while (got < (uint32_t)len && rounds++ < 100) {
        int n = xs_ring_put(ring, cons, prod, msg + sent, (uint32_t)len - sent);
        prod += (uint32_t)n;
        sent += (uint32_t)n;
        n = xs_ring_get(ring, cons, prod, back + got, 333); /* a slow reader */
        cons += (uint32_t)n;
        got += (uint32_t)n;
    }
    struct xsd_sockmsg h;
    memcpy(&h, back, sizeof(h));
    unit_check("message_through_ring",
               len == (int)XS_MSG_MAX && got == (uint32_t)len &&
                   memcmp(msg, back, (size_t)len) == 0 && xs_check_reply_header(&h) == 0 &&
                   h.req_id == 77 && h.tx_id == 5 &&
                   xs_check_reply_payload(h.type, back + XS_HEADER_SIZE, h.len) == 0,
               "len=%d got=%u rounds=%d", len, got, rounds);
    free(msg);
    free(back);
    free(ring);
}

int main(void)
{
    test_encode_basic();
    test_encode_limits();
    test_paths();
    test_reply_headers();
    test_payload_rules();
    test_error_mapping();
    test_split_strings();
    test_watch_event();
    test_transaction_id();
    test_perms();
    test_ring_indices();
    test_ring_copy();
    test_message_through_ring();
    return unit_finish("test_xs_codec");
}
