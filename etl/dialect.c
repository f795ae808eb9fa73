/*
 * dialect.c - the defaults of a CSV dialect and the names of the encodings walidata reads.
 */
#include "reader.h"

#include <strings.h>

void wd_dialect_default(struct wd_dialect *d)
{
    d->delimiter = ',';
    d->quote = '"';
    d->header = true;
    d->encoding = WD_ENCODING_UTF8;
    d->max_field = WD_MAX_FIELD_DEFAULT;
}

bool wd_encoding_parse(const char *name, enum wd_encoding *out)
{
    static const struct {
        const char *name;
        enum wd_encoding enc;
    } names[] = {
        {"utf-8", WD_ENCODING_UTF8},
        {"utf8", WD_ENCODING_UTF8},
        {"windows-1252", WD_ENCODING_WINDOWS_1252},
        {"cp1252", WD_ENCODING_WINDOWS_1252},
        {"iso-8859-1", WD_ENCODING_ISO_8859_1},
        {"latin1", WD_ENCODING_ISO_8859_1},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(name, names[i].name) == 0) {
            *out = names[i].enc;
            return true;
        }
    }
    return false;
}

const char *wd_encoding_name(enum wd_encoding enc)
{
    switch (enc) {
    case WD_ENCODING_WINDOWS_1252:
        return "windows-1252";
    case WD_ENCODING_ISO_8859_1:
        return "iso-8859-1";
    case WD_ENCODING_UTF8:
    default:
        return "utf-8";
    }
}
