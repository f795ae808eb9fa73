/*
 * config.h - walidata's configuration file, one JSON object.
 *
 * The file is /etc/walidata/walidata.json unless --config or WALIDATA_CONFIG names another.
 * One table describes every key (name, type, default, limits), and drives parsing, defaults
 * and error messages alike; an unknown key is an error that names it.
 */
#ifndef WD_CONFIG_H
#define WD_CONFIG_H

#include <stdbool.h>

#include "error.h"

#define WD_CONFIG_DEFAULT_PATH "/etc/walidata/walidata.json"

struct wd_config {
    char *path; /* the file read, or NULL when none was */
    char *database;        /* libpq conninfo or URI; "" means libpq's defaults */
    char *mappings;        /* folder of dataset definitions */
    char *reference_codes; /* folder of code lists */
    char *inbox, *archive, *failed, *outbox;
    long long workers;
    long long settle_seconds;   /* a dropped file is taken when unchanged this long */
    long long rescan_seconds;   /* drop folders are rescanned this often (besides inotify) */
    long long shutdown_timeout; /* on SIGTERM, runs get this long before they are cancelled */
    char *timezone;
    char *pseudonym_key_file;
    char *log_level; /* debug, info, notice, warning or error */
};

/*
 * Fills cfg with the defaults, then reads path over them. When path is NULL the default
 * file is read if it exists; a path that was asked for must exist. Returns 0 or
 * WD_ECONFIG / WD_ENOTFOUND with the file and key in err. Free cfg with wd_config_free
 * whatever the result.
 */
int wd_config_load(const char *path, struct wd_config *cfg, struct wd_error *err);
void wd_config_free(struct wd_config *cfg);

#endif
