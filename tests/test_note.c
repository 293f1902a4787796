/* keys/tx_note: signed notes against the published vector of golang.org/x/mod/sumdb/note (the
 * same key, text and signature byte for byte), checkpoint texts and what they refuse, cosignatures
 * (C2SP tlog-cosignature v1), and the parser's limits. */
#include "tx_error.h"
#include "tx_note.h"
#include "tx_util.h"

#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* From golang.org/x/mod/sumdb/note's tests. */
static const char go_vkey[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char go_skey_b64[] = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char go_text[] = "If you think cryptography is the answer to your problem,\n"
                              "then you don't know what your problem is.\n";
static const char go_note[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xe2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

static void
go_keys(uint8_t pk[32], uint8_t sk[64])
{
    uint8_t raw[33];
    size_t n;

    assert_int_equal(tx_unb64(raw, sizeof raw, &n, go_skey_b64, strlen(go_skey_b64)), TX_OK);
    assert_int_equal(n, 33);
    assert_int_equal(raw[0], 1);
    crypto_sign_seed_keypair(pk, sk, raw + 1);
}

static void
test_go_vector(void **state)
{
    uint8_t pk[32], sk[64], *note;
    char vkey[TX_NOTE_VKEY_MAX];
    size_t len;
    tx_note n;
    (void)state;

    go_keys(pk, sk);
    assert_int_equal(tx_note_vkey("PeterNeumann", TX_NOTE_ED25519, pk, vkey, sizeof vkey), TX_OK);
    assert_string_equal(vkey, go_vkey);
    assert_int_equal(
        tx_note_sign((const uint8_t *)go_text, strlen(go_text), "PeterNeumann", sk, &note, &len),
        TX_OK);
    assert_int_equal(len, strlen(go_note));
    assert_memory_equal(note, go_note, len);
    free(note);
    assert_int_equal(tx_note_parse((const uint8_t *)go_note, strlen(go_note), &n), TX_OK);
    assert_int_equal(n.n_sigs, 1);
    assert_int_equal(n.text_len, strlen(go_text));
    assert_int_equal(tx_note_verify(&n, "PeterNeumann", pk), TX_OK);
    assert_int_equal(tx_note_verify(&n, "PeterNeumanm", pk), TX_ERR_WRONG_KEY);
    n.sigs[0].sig[5] ^= 1;
    assert_int_equal(tx_note_verify(&n, "PeterNeumann", pk), TX_ERR_BAD_SIGNATURE);
}

static void
test_checkpoint_text(void **state)
{
    static const char *const bad[] = {
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",            /* no time */
        "o\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\ntime 1\n",   /* leading 0 */
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\ntime 1\n",    /* non-canonical */
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\ntime 1\n",     /* unpadded */
        "o o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\ntime 1\n",  /* space */
        "o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\ntime 1\n",   /* sign */
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\ntime 1\nx\n", /* extra line */
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\ntime 1",      /* no newline */
        "o\n18446744073709551616\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\ntime 1\n",
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\ntime 9223372036854775808\n",
        "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\ntime \n",
    };
    uint8_t root[32];
    char text[512];
    size_t len;
    tx_note_checkpoint cp;
    (void)state;

    for (int i = 0; i < 32; i++) {
        root[i] = (uint8_t)i;
    }
    assert_int_equal(tx_note_checkpoint_text("example.com/behind-the-sofa", 20852163, root,
                                             1679315147, text, sizeof text, &len),
                     TX_OK);
    assert_int_equal(tx_note_checkpoint_parse((const uint8_t *)text, len, &cp), TX_OK);
    assert_string_equal(cp.origin, "example.com/behind-the-sofa");
    assert_int_equal(cp.size, 20852163);
    assert_memory_equal(cp.root, root, 32);
    assert_int_equal(cp.time, 1679315147);
    assert_int_equal(tx_note_checkpoint_text("has space", 1, root, 1, text, sizeof text, &len),
                     TX_ERR_USAGE);
    assert_int_equal(tx_note_checkpoint_text("a+b", 1, root, 1, text, sizeof text, &len),
                     TX_ERR_USAGE);
    assert_int_equal(tx_note_checkpoint_text("o", 1, root, -1, text, sizeof text, &len),
                     TX_ERR_USAGE);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (tx_note_checkpoint_parse((const uint8_t *)bad[i], strlen(bad[i]), &cp) !=
            TX_ERR_MALFORMED) {
            fail_msg("accepted bad checkpoint text %zu: %s", i, bad[i]);
        }
    }
}

static void
test_cosignature(void **state)
{
    uint8_t pk[32], sk[64], wpk[32], wsk[64], root[32] = {7}, *note;
    char text[512], line[TX_NOTE_LINE_MAX], buf[TX_NOTE_MAX], vkey[TX_NOTE_VKEY_MAX];
    size_t len, note_len, line_len;
    uint64_t t = 0;
    tx_note n;
    (void)state;

    go_keys(pk, sk);
    crypto_sign_keypair(wpk, wsk);
    assert_int_equal(tx_note_checkpoint_text("ticsx-hub/0011223344556677", 3, root, 100, text,
                                             sizeof text, &len),
                     TX_OK);
    assert_int_equal(
        tx_note_sign((uint8_t *)text, len, "ticsx-hub/0011223344556677", sk, &note, &note_len),
        TX_OK);
    assert_int_equal(tx_note_cosign((uint8_t *)text, len, "w.example/1", wsk, 1679315147, line,
                                    sizeof line, &line_len),
                     TX_OK);
    memcpy(buf, note, note_len);
    memcpy(buf + note_len, line, line_len);
    free(note);
    assert_int_equal(tx_note_parse((uint8_t *)buf, note_len + line_len, &n), TX_OK);
    assert_int_equal(n.n_sigs, 2);
    assert_int_equal(tx_note_verify(&n, "ticsx-hub/0011223344556677", pk), TX_OK);
    assert_int_equal(tx_note_cosig_verify(&n, "w.example/1", wpk, &t), TX_OK);
    assert_int_equal(t, 1679315147);
    /* A cosignature is not a note signature, nor the other way round. */
    assert_int_equal(tx_note_verify(&n, "w.example/1", wpk), TX_ERR_WRONG_KEY);
    assert_int_equal(tx_note_cosig_verify(&n, "ticsx-hub/0011223344556677", pk, NULL),
                     TX_ERR_WRONG_KEY);
    /* Its key hash uses type 0x04. */
    assert_int_equal(tx_note_vkey("w.example/1", TX_NOTE_COSIG_V1, wpk, vkey, sizeof vkey), TX_OK);
    {
        char hex[9];
        tx_hex(hex, n.sigs[1].hash, 4);
        assert_memory_equal(vkey + strlen("w.example/1+"), hex, 8);
    }
    /* The text changed: neither verifies. */
    buf[strlen("ticsx-hub/0011223344556677") + 1] = '4';
    assert_int_equal(tx_note_parse((uint8_t *)buf, note_len + line_len, &n), TX_OK);
    assert_int_equal(tx_note_verify(&n, "ticsx-hub/0011223344556677", pk), TX_ERR_BAD_SIGNATURE);
    assert_int_equal(tx_note_cosig_verify(&n, "w.example/1", wpk, NULL), TX_ERR_BAD_SIGNATURE);
}

static void
test_parse_limits(void **state)
{
    static const char *const bad[] = {
        "",
        "text\n",                              /* no signatures */
        "text\n\n",                            /* blank line, no signature */
        "\n\n\xe2\x80\x94 a AAAAAAA=\n",       /* empty text */
        "text\n\n- a AAAAAAA=\n",              /* not an em dash */
        "text\n\n\xe2\x80\x94 a AAAA\n",       /* under 5 bytes */
        "text\n\n\xe2\x80\x94 a+b AAAAAAA=\n", /* '+' in the name */
        "text\n\n\xe2\x80\x94 a AAAAAAA=",     /* no final newline */
        "text\n\n\xe2\x80\x94 a AAAAAAA=\n\n", /* blank line among signatures */
        "te\txt\n\n\xe2\x80\x94 a AAAAAAA=\n", /* control character */
        "a\n\nb\n\n\xe2\x80\x94 a AAAAAAA=\n", /* a second blank line */
    };
    char big[TX_NOTE_MAX + 64];
    size_t n = 0;
    tx_note note;
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (tx_note_parse((const uint8_t *)bad[i], strlen(bad[i]), &note) == TX_OK) {
            fail_msg("accepted bad note %zu", i);
        }
    }
    {
        const char *ok = "text\n\n\xe2\x80\x94 a AAAAAAA=\n";
        assert_int_equal(tx_note_parse((const uint8_t *)ok, strlen(ok), &note), TX_OK);
    }
    assert_int_equal(note.sigs[0].sig_len, 0); /* an unknown signature kind: kept, never valid */
    /* 65 signature lines: too many. */
    n = (size_t)snprintf(big, sizeof big, "t\n\n");
    for (int i = 0; i < TX_NOTE_SIGS_MAX + 1; i++) {
        n += (size_t)snprintf(big + n, sizeof big - n, "\xe2\x80\x94 a AAAAAAA=\n");
    }
    assert_int_equal(tx_note_parse((const uint8_t *)big, n, &note), TX_ERR_TOO_LARGE);
    memset(big, 'a', sizeof big);
    assert_int_equal(tx_note_parse((const uint8_t *)big, TX_NOTE_MAX + 1, &note), TX_ERR_TOO_LARGE);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_go_vector),
        cmocka_unit_test(test_checkpoint_text),
        cmocka_unit_test(test_cosignature),
        cmocka_unit_test(test_parse_limits),
    };

    if (sodium_init() < 0) {
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
