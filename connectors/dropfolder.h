/*
 * dropfolder.h - a unit's inbox folder: finding complete files safely, and moving each one
 * afterwards to the archive (gzip-compressed) or to failed/, with what the unit is told in
 * its outbox. Nothing is ever deleted: a name already taken gets a numbered suffix.
 *
 * Layout (DESIGN): <inbox>/<unit>/<dataset>/ per job; archive/<unit>/<dataset>/YYYY/MM/;
 * failed/<unit>/<dataset>/; outbox/<unit>/<file>.receipt.json, <file>.report.json and
 * <file>.rejects.csv.
 *
 * Only regular files directly in the folder are taken. A symlink, a name with "..", or a
 * folder that resolves outside the inbox is refused and reported, never followed.
 */
#ifndef WD_DROPFOLDER_H
#define WD_DROPFOLDER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "../etl/error.h"
#include "source.h"

struct wd_dropfile {
    char *path;  /* absolute */
    char *name;
    off_t size;
    time_t mtime;
};

struct wd_droplist {
    struct wd_dropfile *files;
    size_t n;
    char **refused; /* names refused, with why: "name: why" */
    size_t nrefused;
};

/*
 * Lists the candidate files of a drop folder that lies inside inbox. Returns WD_ECONFIG
 * when the folder is outside the inbox or is itself a symlink.
 */
int wd_dropfolder_list(const struct wd_source_uri *src, const char *inbox,
                       struct wd_droplist *out, struct wd_error *err);
void wd_droplist_free(struct wd_droplist *l);

/* The unit and dataset of a drop folder <inbox>/<unit>/<dataset> (its last two names). */
void wd_dropfolder_names(const char *dir, char *unit, size_t ucap, char *dataset, size_t dcap);

/* Moves path to archive/<unit>/<dataset>/YYYY/MM/, gzip-compressed (a .gz as it is);
 * writes where it went into dest. */
int wd_dropfolder_archive(const char *path, const char *archive, const char *unit,
                          const char *dataset, time_t when, char *dest, size_t cap,
                          struct wd_error *err);

/* Moves path (a file or a refused symlink) to failed/<unit>/<dataset>/. */
int wd_dropfolder_fail(const char *path, const char *failed, const char *unit,
                       const char *dataset, char *dest, size_t cap, struct wd_error *err);

/* Writes outbox/<unit>/<name>, atomically (a temporary name, then rename). */
int wd_outbox_write(const char *outbox, const char *unit, const char *name, const char *data,
                    size_t len, struct wd_error *err);

/* Creates dir and its parents (0750). */
int wd_mkdirs(const char *dir, struct wd_error *err);

#endif
