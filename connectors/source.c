/*
 * source.c - parsing source URIs.
 */
#include "source.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../etl/mem.h"

void wd_source_uri_free(struct wd_source_uri *s)
{
    free(s->path);
    free(s->pattern);
    free(s->conninfo);
    free(s->query);
    free(s->watermark);
    memset(s, 0, sizeof(*s));
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes (and '+' to space) n bytes into a new string; NULL when malformed. */
static char *decode(const char *s, size_t n)
{
    char *out = wd_malloc(n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0) {
                free(out);
                return NULL;
            }
            *o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            *o++ = s[i] == '+' ? ' ' : s[i];
        }
    }
    *o = '\0';
    return out;
}

bool wd_source_parse(const char *uri, struct wd_source_uri *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof(*out));
    if (strncmp(uri, "dir:", 4) == 0 || strncmp(uri, "file:", 5) == 0) {
        bool dir = uri[0] == 'd';
        const char *p = uri + (dir ? 4 : 5);
        const char *q = strchr(p, '?');
        size_t n = q ? (size_t)(q - p) : strlen(p);
        if (n == 0 || p[0] != '/') {
            snprintf(why, whylen, "expected an absolute path after %s, e.g. %s/var/lib/walidata/"
                     "inbox/disnaker_bekasi/penempatan", dir ? "dir:" : "file:",
                     dir ? "dir:" : "file:");
            return false;
        }
        out->kind = dir ? WD_SOURCE_DIR : WD_SOURCE_FILE;
        out->path = wd_strndup(p, n);
        if (q) {
            if (!dir || strncmp(q, "?pattern=", 9) != 0 || !q[9]) {
                snprintf(why, whylen, "the only option of a source is ?pattern=GLOB, on dir:");
                wd_source_uri_free(out);
                return false;
            }
            out->pattern = decode(q + 9, strlen(q + 9));
            if (!out->pattern) {
                snprintf(why, whylen, "the pattern is not a valid URL-encoded glob");
                wd_source_uri_free(out);
                return false;
            }
        }
        return true;
    }
    if (strncmp(uri, "postgresql://", 13) == 0 || strncmp(uri, "postgres://", 11) == 0) {
        const char *q = strchr(uri, '?');
        struct wd_buf rest;
        wd_buf_init(&rest, 0);
        wd_buf_append(&rest, uri, q ? (size_t)(q - uri) : strlen(uri));
        char sep = '?';
        out->kind = WD_SOURCE_POSTGRESQL;
        for (const char *p = q ? q + 1 : NULL; p && *p;) {
            const char *amp = strchr(p, '&');
            size_t n = amp ? (size_t)(amp - p) : strlen(p);
            if (strncmp(p, "query=", 6) == 0) {
                free(out->query);
                out->query = decode(p + 6, n - 6);
            } else if (strncmp(p, "watermark=", 10) == 0) {
                free(out->watermark);
                out->watermark = decode(p + 10, n - 10);
            } else {
                wd_buf_putc(&rest, sep);
                wd_buf_append(&rest, p, n);
                sep = '&';
            }
            p = amp ? amp + 1 : NULL;
        }
        out->conninfo = rest.data;
        if (!out->query || !out->query[0] || !out->watermark || !out->watermark[0]) {
            snprintf(why, whylen, "a postgresql source needs query=SQL and watermark=COLUMN "
                     "(URL-encoded), e.g. postgresql://host/db?query=SELECT%%20*%%20FROM%%20"
                     "penempatan&watermark=updated_at");
            wd_source_uri_free(out);
            return false;
        }
        return true;
    }
    snprintf(why, whylen, "unknown source \"%.60s\": expected dir:PATH, file:PATH or "
             "postgresql://...?query=...&watermark=...", uri);
    return false;
}

bool wd_source_name_wanted(const struct wd_source_uri *s, const char *name)
{
    size_t n = strlen(name);
    if (name[0] == '.' || strstr(name, ".."))
        return false;
    if ((n > 5 && strcmp(name + n - 5, ".part") == 0) ||
        (n > 4 && strcmp(name + n - 4, ".tmp") == 0))
        return false;
    if (s->pattern)
        return fnmatch(s->pattern, name, FNM_PERIOD) == 0;
    return fnmatch("*.csv", name, 0) == 0 || fnmatch("*.csv.gz", name, 0) == 0 ||
           fnmatch("*.CSV", name, 0) == 0;
}

char *wd_source_redact(const char *uri)
{
    struct wd_buf b;
    wd_buf_init(&b, 0);
    wd_buf_append(&b, "", 0);
    const char *p = uri;
    /* scheme://user:password@host */
    const char *scheme = strstr(uri, "://");
    if (scheme) {
        const char *auth = scheme + 3;
        const char *at = strchr(auth, '@');
        const char *slash = strchr(auth, '/');
        const char *colon = strchr(auth, ':');
        if (at && (!slash || at < slash) && colon && colon < at) {
            wd_buf_append(&b, uri, (size_t)(colon - uri) + 1);
            wd_buf_append(&b, "***", 3);
            p = at;
        }
    }
    /* ...&password=secret or ?password=secret */
    while (*p) {
        const char *pw = strstr(p, "password=");
        if (!pw || (pw != uri && pw[-1] != '?' && pw[-1] != '&' && pw[-1] != ' ')) {
            if (!pw) {
                wd_buf_append(&b, p, strlen(p));
                break;
            }
            wd_buf_append(&b, p, (size_t)(pw - p) + 9);
            p = pw + 9;
            continue;
        }
        wd_buf_append(&b, p, (size_t)(pw - p) + 9);
        wd_buf_append(&b, "***", 3);
        p = pw + 9;
        while (*p && *p != '&' && *p != ' ')
            p++;
    }
    return b.data;
}
