/*
 * utf8.h - UTF-8 checks used on every field: an ASCII fast path and a strict validator
 * (no overlong forms, no surrogates, nothing past U+10FFFF).
 */
#ifndef WD_UTF8_H
#define WD_UTF8_H

#include <stdbool.h>
#include <stddef.h>

bool wd_utf8_is_ascii(const char *s, size_t len);
/* ASCII without NUL: every byte from 0x01 to 0x7F (the common case, checked 8 at a time). */
bool wd_utf8_is_plain(const char *s, size_t len);
bool wd_utf8_valid(const char *s, size_t len);
/* Counts code points of valid UTF-8 (bytes that do not start one are not counted). */
size_t wd_utf8_length(const char *s, size_t len);

#endif
