/*
 * test_pseudonym.c - the pseudonym of a value is hex HMAC-SHA256 under the key file's
 * bytes: checked against RFC 4231's published test vectors, with the shared key
 * (wd_pseudonym) and a run's own pseudonymizer (wd_pseudonymize) giving the same text,
 * value after value; and the key file's refusals.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "../etl/pseudonym.h"

static char *write_key(const char *name, const void *bytes, size_t len)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", tu_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    fclose(f);
    return path;
}

static void test_rfc4231_vectors(void **state)
{
    (void)state;
    /* RFC 4231 test case 1: key 0x0b x 20, data "Hi There" */
    unsigned char key1[20];
    memset(key1, 0x0b, sizeof(key1));
    /* RFC 4231 test case 4: key 0x01..0x19, data 0xcd x 50 */
    unsigned char key4[25];
    for (int i = 0; i < 25; i++)
        key4[i] = (unsigned char)(i + 1);
    char data4[50];
    memset(data4, 0xcd, sizeof(data4));
    /* RFC 4231 test cases 6 and 7: a key longer than SHA-256's block is hashed first */
    unsigned char key6[131];
    memset(key6, 0xaa, sizeof(key6));
    static const char data6[] = "Test Using Larger Than Block-Size Key - Hash Key First";
    static const char data7[] = "This is a test using a larger than block-size key and a larger "
                                "than block-size data. The key needs to be hashed before being "
                                "used by the HMAC algorithm.";
    struct {
        const unsigned char *key;
        size_t keylen;
        const char *data;
        size_t len;
        const char *hex;
    } cases[] = {
        {key1, sizeof(key1), "Hi There", 8,
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {key4, sizeof(key4), data4, sizeof(data4),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
        {key6, sizeof(key6), data6, sizeof(data6) - 1,
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {key6, sizeof(key6), data7, sizeof(data7) - 1,
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        struct wd_pseudonym *p = NULL;
        struct wd_error err;
        wd_error_clear(&err);
        assert_int_equal(wd_pseudonym_open(write_key("key", cases[c].key, cases[c].keylen), &p,
                                           &err), 0);
        struct wd_pseudonymizer *z = wd_pseudonymizer_new(p);
        char shared[WD_PSEUDONYM_LEN + 1], own[WD_PSEUDONYM_LEN + 1];
        /* three times each, so that the pseudonymizer's restart is tested, not just its
         * first use */
        for (int round = 0; round < 3; round++) {
            wd_pseudonym(p, cases[c].data, cases[c].len, shared);
            wd_pseudonymize(z, cases[c].data, cases[c].len, own);
            assert_string_equal(shared, cases[c].hex);
            assert_string_equal(own, cases[c].hex);
            wd_pseudonymize(z, "3171012345678901", 16, own); /* another value between */
            wd_pseudonym(p, "3171012345678901", 16, shared);
            assert_string_equal(own, shared);
        }
        wd_pseudonymizer_free(z);
        wd_pseudonym_free(p);
    }
}

/* The pseudonymizer computes HMAC from SHA-256 states of its own; OpenSSL's HMAC (the shared
 * key's way) must agree with it for keys around the block's 64 bytes, where the padding and
 * the hashing of long keys change, and for values across a block's boundary. */
static void test_pseudonymizer_agrees_with_openssl(void **state)
{
    (void)state;
    static const size_t key_lens[] = {16, 44, 63, 64, 65, 200};
    unsigned char key[200];
    char value[150];
    for (size_t i = 0; i < sizeof(key); i++)
        key[i] = (unsigned char)(i * 37 + 11);
    for (size_t i = 0; i < sizeof(value); i++)
        value[i] = (char)('0' + i % 10);
    for (size_t k = 0; k < sizeof(key_lens) / sizeof(key_lens[0]); k++) {
        /* a key file's last byte may not be a newline: it would be trimmed */
        key[key_lens[k] - 1] = 'k';
        struct wd_pseudonym *p = NULL;
        struct wd_error err;
        wd_error_clear(&err);
        assert_int_equal(wd_pseudonym_open(write_key("agree", key, key_lens[k]), &p, &err), 0);
        struct wd_pseudonymizer *z = wd_pseudonymizer_new(p);
        for (size_t len = 0; len <= sizeof(value); len++) {
            char shared[WD_PSEUDONYM_LEN + 1], own[WD_PSEUDONYM_LEN + 1];
            wd_pseudonym(p, value, len, shared);
            wd_pseudonymize(z, value, len, own);
            if (strcmp(shared, own) != 0)
                fail_msg("key of %zu bytes, value of %zu: OpenSSL %s, pseudonymizer %s",
                         key_lens[k], len, shared, own);
        }
        wd_pseudonymizer_free(z);
        wd_pseudonym_free(p);
    }
}

static void test_key_file_refusals(void **state)
{
    (void)state;
    struct wd_pseudonym *p = NULL;
    struct wd_error err;
    wd_error_clear(&err);
    assert_int_equal(wd_pseudonym_open(write_key("short", "pendek\n", 7), &p, &err), WD_ECONFIG);
    assert_null(p);
    assert_non_null(strstr(err.msg, "is 6 bytes; at least 16 are needed"));
    assert_string_equal(err.field, "pseudonym_key_file");
    assert_non_null(strstr(err.hint, "head -c 32 /dev/urandom"));
    wd_error_clear(&err);
    char missing[512];
    snprintf(missing, sizeof(missing), "%s/no-such.key", tu_tmpdir());
    assert_int_equal(wd_pseudonym_open(missing, &p, &err), WD_ECONFIG);
    assert_non_null(strstr(err.msg, "could not open the pseudonym key file"));
    assert_string_equal(err.field, "pseudonym_key_file");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4231_vectors),
        cmocka_unit_test(test_pseudonymizer_agrees_with_openssl),
        cmocka_unit_test(test_key_file_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
