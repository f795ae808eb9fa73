/*
 * config.c - the configuration table and its reader.
 */
#include <stdlib.h>

#include "config.h"

#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "jsonkeys.h"
#include "mem.h"

enum key_type { KEY_STRING, KEY_INT, KEY_CHOICE };

struct key {
    const char *name;
    enum key_type type;
    size_t offset;
    const char *dflt; /* strings and choices; NULL for no default */
    long long dflt_int, min, max;
    const char *const *choices;
};

static const char *const log_levels[] = {"debug", "info", "notice", "warning", "error", NULL};

#define STR(k, d) {#k, KEY_STRING, offsetof(struct wd_config, k), d, 0, 0, 0, NULL}
static const struct key keys[] = {
    STR(database, ""),
    STR(mappings, NULL),
    STR(reference_codes, NULL),
    STR(inbox, "/var/lib/walidata/inbox"),
    STR(archive, "/var/lib/walidata/archive"),
    STR(failed, "/var/lib/walidata/failed"),
    STR(outbox, "/var/lib/walidata/outbox"),
    {"workers", KEY_INT, offsetof(struct wd_config, workers), NULL, 2, 1, 64, NULL},
    {"settle_seconds", KEY_INT, offsetof(struct wd_config, settle_seconds), NULL, 3, 0, 3600, NULL},
    {"rescan_seconds", KEY_INT, offsetof(struct wd_config, rescan_seconds), NULL, 10, 1, 3600,
     NULL},
    {"shutdown_timeout", KEY_INT, offsetof(struct wd_config, shutdown_timeout), NULL, 30, 1,
     3600, NULL},
    STR(timezone, "Asia/Jakarta"),
    STR(pseudonym_key_file, NULL),
    {"log_level", KEY_CHOICE, offsetof(struct wd_config, log_level), "info", 0, 0, 0, log_levels},
};
#undef STR
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static char **str_at(struct wd_config *cfg, const struct key *k)
{
    return (char **)((char *)cfg + k->offset);
}

static void set_defaults(struct wd_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    for (size_t i = 0; i < NKEYS; i++) {
        if (keys[i].type == KEY_INT)
            *(long long *)((char *)cfg + keys[i].offset) = keys[i].dflt_int;
        else
            *str_at(cfg, &keys[i]) = keys[i].dflt ? wd_strdup(keys[i].dflt) : NULL;
    }
}

/* A zone name is known when the system's tz database has it. Without a database (a bare
 * container) every name that looks like one is taken. */
static bool timezone_known(const char *tz)
{
    if (!tz[0] || tz[0] == '/' || strstr(tz, ".."))
        return false;
    if (access("/usr/share/zoneinfo", F_OK) != 0)
        return true;
    char path[512];
    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
    return access(path, R_OK) == 0;
}

static int read_key(struct wd_config *cfg, const struct key *k, const struct wd_jdoc *doc,
                    const json_t *root)
{
    if (k->type == KEY_INT) {
        long long v;
        int rc = wd_json_integer(doc, root, "", k->name, false, k->min, k->max, &v);
        if (rc == 0)
            *(long long *)((char *)cfg + k->offset) = v;
        return rc < 0 ? rc : 0;
    }
    const char *s = NULL;
    int rc = wd_json_string(doc, root, "", k->name, false, &s);
    if (rc)
        return rc < 0 ? rc : 0;
    if (k->type == KEY_CHOICE) {
        bool ok = false;
        for (size_t i = 0; k->choices[i] && !ok; i++)
            ok = strcmp(k->choices[i], s) == 0;
        if (!ok) {
            rc = wd_json_error(doc, k->name, "unknown value \"%s\"", s);
            const char *near = wd_json_suggest(s, k->choices);
            if (near) {
                wd_error_hint(doc->err, "Did you mean \"%s\"?", near);
            } else if (doc->err) {
                char list[200] = "";
                for (size_t i = 0; k->choices[i]; i++) {
                    size_t n = strlen(list);
                    snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", k->choices[i]);
                }
                wd_error_hint(doc->err, "Use one of: %s.", list);
            }
            return rc;
        }
    }
    if (strcmp(k->name, "timezone") == 0 && !timezone_known(s)) {
        rc = wd_json_error(doc, k->name, "unknown time zone \"%s\"", s);
        wd_error_hint(doc->err, "Use a name from the tz database, such as Asia/Jakarta, "
                                "Asia/Makassar or Asia/Jayapura.");
        return rc;
    }
    free(*str_at(cfg, k));
    *str_at(cfg, k) = wd_strdup(s);
    return 0;
}

int wd_config_load(const char *path, struct wd_config *cfg, struct wd_error *err)
{
    set_defaults(cfg);
    if (!path) {
        if (access(WD_CONFIG_DEFAULT_PATH, F_OK) != 0)
            return 0;
        path = WD_CONFIG_DEFAULT_PATH;
    }
    struct wd_jdoc doc = {path, WD_ECONFIG, err};
    json_t *root;
    int rc = wd_json_load_file(&doc, &root);
    if (rc)
        return rc;
    const char *names[NKEYS + 1];
    for (size_t i = 0; i < NKEYS; i++)
        names[i] = keys[i].name;
    names[NKEYS] = NULL;
    rc = wd_json_keys(&doc, root, "", names);
    for (size_t i = 0; i < NKEYS && rc == 0; i++)
        rc = read_key(cfg, &keys[i], &doc, root);
    json_decref(root);
    if (rc == 0)
        cfg->path = wd_strdup(path);
    return rc;
}

void wd_config_free(struct wd_config *cfg)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (keys[i].type != KEY_INT)
            free(*str_at(cfg, &keys[i]));
    free(cfg->path);
    memset(cfg, 0, sizeof(*cfg));
}
