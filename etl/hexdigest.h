/*
 * hexdigest.h - a 32-byte digest (SHA-256, HMAC-SHA256) as the 64 lowercase hex characters
 * that the warehouse stores, decodes and compares: content hashes, run hashes, pseudonyms.
 */
#ifndef WD_HEXDIGEST_H
#define WD_HEXDIGEST_H

static inline void wd_digest_hex(const unsigned char md[32], char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

#endif
