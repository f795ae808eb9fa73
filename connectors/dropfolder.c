/*
 * dropfolder.c - listing, archiving and failing files of units' inbox folders.
 */
#include "dropfolder.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../etl/mem.h"

void wd_droplist_free(struct wd_droplist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->files[i].path);
        free(l->files[i].name);
    }
    for (size_t i = 0; i < l->nrefused; i++)
        free(l->refused[i]);
    free(l->files);
    free(l->refused);
    memset(l, 0, sizeof(*l));
}

static void refuse(struct wd_droplist *l, const char *name, const char *why)
{
    l->refused = wd_realloc(l->refused, (l->nrefused + 1) * sizeof(char *));
    size_t n = strlen(name) + strlen(why) + 3;
    l->refused[l->nrefused] = wd_malloc(n);
    snprintf(l->refused[l->nrefused], n, "%s: %s", name, why);
    l->nrefused++;
}

/* Whether real (a resolved path) lies inside root (resolved). */
static bool inside(const char *real, const char *root)
{
    size_t n = strlen(root);
    return strncmp(real, root, n) == 0 && (real[n] == '/' || real[n] == '\0');
}

int wd_dropfolder_list(const struct wd_source_uri *src, const char *inbox,
                       struct wd_droplist *out, struct wd_error *err)
{
    memset(out, 0, sizeof(*out));
    char root[PATH_MAX], dir[PATH_MAX];
    struct stat st;
    if (!realpath(inbox, root)) {
        wd_error_file(err, inbox);
        return wd_error_set(err, WD_ECONFIG, "the inbox folder cannot be read: %s",
                            strerror(errno));
    }
    if (lstat(src->path, &st) == 0 && S_ISLNK(st.st_mode)) {
        wd_error_file(err, src->path);
        return wd_error_set(err, WD_ECONFIG, "the drop folder is a symlink; walidata does not "
                                             "follow links out of an inbox");
    }
    if (!realpath(src->path, dir)) {
        wd_error_file(err, src->path);
        return wd_error_set(err, WD_EIO, "the drop folder cannot be read: %s", strerror(errno));
    }
    if (!inside(dir, root) || strcmp(dir, root) == 0) {
        wd_error_file(err, src->path);
        wd_error_set(err, WD_ECONFIG, "the drop folder is not inside the inbox %s", root);
        wd_error_hint(err, "Drop folders are <inbox>/<unit>/<dataset>.");
        return WD_ECONFIG;
    }
    DIR *d = opendir(dir);
    if (!d) {
        wd_error_file(err, dir);
        return wd_error_set(err, WD_EIO, "could not open the drop folder: %s", strerror(errno));
    }
    int fd = dirfd(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *name = e->d_name;
        if (name[0] == '.' )
            continue; /* hidden files and uploads in progress named .x */
        if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue; /* gone meanwhile */
        if (S_ISDIR(st.st_mode))
            continue;
        if (S_ISLNK(st.st_mode)) {
            refuse(out, name, "a symlink; walidata does not follow links out of an inbox");
            continue;
        }
        if (!S_ISREG(st.st_mode) || strstr(name, "..")) {
            refuse(out, name, "not a regular file with a plain name");
            continue;
        }
        if (!wd_source_name_wanted(src, name))
            continue;
        out->files = wd_realloc(out->files, (out->n + 1) * sizeof(*out->files));
        struct wd_dropfile *f = &out->files[out->n++];
        size_t n = strlen(dir) + strlen(name) + 2;
        f->path = wd_malloc(n);
        snprintf(f->path, n, "%s/%s", dir, name);
        f->name = wd_strdup(name);
        f->size = st.st_size;
        f->mtime = st.st_mtime;
    }
    closedir(d);
    return 0;
}

void wd_dropfolder_names(const char *dir, char *unit, size_t ucap, char *dataset, size_t dcap)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof(buf), "%s", dir);
    size_t n = strlen(buf);
    while (n > 1 && buf[n - 1] == '/')
        buf[--n] = '\0';
    char *last = strrchr(buf, '/');
    snprintf(dataset, dcap, "%s", last ? last + 1 : buf);
    if (last) {
        *last = '\0';
        char *prev = strrchr(buf, '/');
        snprintf(unit, ucap, "%s", prev ? prev + 1 : buf);
    } else {
        snprintf(unit, ucap, "unit");
    }
}

int wd_mkdirs(const char *dir, struct wd_error *err)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof(buf), "%s", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0750) != 0 && errno != EEXIST)
            goto fail;
        *p = '/';
    }
    if (mkdir(buf, 0750) != 0 && errno != EEXIST)
        goto fail;
    return 0;
fail:
    wd_error_file(err, buf);
    return wd_error_set(err, WD_EIO, "could not create folder: %s", strerror(errno));
}

/* A free name in dir for name (name, name.1, name.2 ...), into out. */
static void free_name(const char *dir, const char *name, const char *suffix, char *out,
                      size_t cap)
{
    snprintf(out, cap, "%s/%s%s", dir, name, suffix);
    for (int i = 1; access(out, F_OK) == 0 && i < 100000; i++)
        snprintf(out, cap, "%s/%s.%d%s", dir, name, i, suffix);
}

static const char *base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int wd_dropfolder_archive(const char *path, const char *archive, const char *unit,
                          const char *dataset, time_t when, char *dest, size_t cap,
                          struct wd_error *err)
{
    struct tm tm;
    localtime_r(&when, &tm);
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s/%s/%s/%04d/%02d", archive, unit, dataset, tm.tm_year + 1900,
             tm.tm_mon + 1);
    int rc = wd_mkdirs(dir, err);
    if (rc < 0)
        return rc;
    const char *name = base(path);
    size_t n = strlen(name);
    bool gz = n > 3 && strcmp(name + n - 3, ".gz") == 0;
    free_name(dir, name, gz ? "" : ".gz", dest, cap);
    if (gz) {
        if (rename(path, dest) != 0) {
            wd_error_file(err, path);
            return wd_error_set(err, WD_EIO, "could not move the file to %s: %s", dest,
                                strerror(errno));
        }
        return 0;
    }
    /* compress into a temporary name, then rename: a crash leaves the original in place */
    char tmp[PATH_MAX + 8];
    snprintf(tmp, sizeof(tmp), "%s.part", dest);
    int in = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    gzFile out = in >= 0 ? gzopen(tmp, "wb6") : NULL;
    bool ok = in >= 0 && out;
    char buf[1 << 16];
    ssize_t got;
    while (ok && (got = read(in, buf, sizeof(buf))) > 0)
        ok = gzwrite(out, buf, (unsigned)got) == (int)got;
    if (out && gzclose(out) != Z_OK)
        ok = false;
    if (in >= 0)
        close(in);
    if (!ok || rename(tmp, dest) != 0 || unlink(path) != 0) {
        unlink(tmp);
        wd_error_file(err, path);
        return wd_error_set(err, WD_EIO, "could not archive the file to %s: %s", dest,
                            strerror(errno));
    }
    return 0;
}

int wd_dropfolder_fail(const char *path, const char *failed, const char *unit,
                       const char *dataset, char *dest, size_t cap, struct wd_error *err)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s/%s/%s", failed, unit, dataset);
    int rc = wd_mkdirs(dir, err);
    if (rc < 0)
        return rc;
    free_name(dir, base(path), "", dest, cap);
    if (rename(path, dest) != 0) {
        wd_error_file(err, path);
        return wd_error_set(err, WD_EIO, "could not move the file to %s: %s", dest,
                            strerror(errno));
    }
    return 0;
}

int wd_outbox_write(const char *outbox, const char *unit, const char *name, const char *data,
                    size_t len, struct wd_error *err)
{
    char dir[PATH_MAX], path[PATH_MAX + 300], tmp[PATH_MAX + 310];
    snprintf(dir, sizeof(dir), "%s/%s", outbox, unit);
    int rc = wd_mkdirs(dir, err);
    if (rc < 0)
        return rc;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
    FILE *f = fopen(tmp, "wb");
    bool ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        wd_error_file(err, path);
        return wd_error_set(err, WD_EIO, "could not write to the outbox: %s", strerror(errno));
    }
    return 0;
}
