/* Descriptions for the tx_err codes. */
#include "tx_error.h"

#include "tx_i18n.h"

static const char *const messages[TX_ERR_COUNT_] = {
    [TX_OK] = N_("ok"),
    [TX_ERR_USAGE] = N_("usage error"),
    [TX_ERR_IO] = N_("input/output error"),
    [TX_ERR_NOMEM] = N_("out of memory"),
    [TX_ERR_PERM] = N_("file permissions too open"),
    [TX_ERR_EXISTS] = N_("already exists"),
    [TX_ERR_NOT_FOUND] = N_("not found"),
    [TX_ERR_TOO_LARGE] = N_("input too large"),
    [TX_ERR_TRUNCATED] = N_("input truncated"),
    [TX_ERR_MALFORMED] = N_("malformed input"),
    [TX_ERR_WRONG_TYPE] = N_("wrong payload type"),
    [TX_ERR_BAD_UTF8] = "string is not valid utf-8 or contains nul",
    [TX_ERR_BAD_KEY] = N_("bad key"),
    [TX_ERR_CHECKSUM] = N_("checksum mismatch"),
    [TX_ERR_BAD_SIGNATURE] = N_("signature verification failed"),
    [TX_ERR_WRONG_KEY] = N_("made for another key"),
    [TX_ERR_DECRYPT] = N_("decryption failed"),
    [TX_ERR_NOT_ENROLLED] = N_("not enrolled"),
    [TX_ERR_REPLAY] = N_("replay or rollback: sequence number not above the last accepted"),
    [TX_ERR_MISSING_REF] = N_("referenced record not found"),
    [TX_ERR_FORBIDDEN] = N_("forbidden"),
    [TX_ERR_STORAGE_FULL] = N_("storage full"),
    [TX_ERR_STORAGE] = N_("storage error"),
    [TX_ERR_NET] = N_("network error"),
    [TX_ERR_UNREACHABLE] = N_("hub unreachable"),
    [TX_ERR_BUSY] = N_("busy"),
    [TX_ERR_REFUSED] = N_("refused by hub"),
    [TX_ERR_LOCKED] = N_("data directory in use by another process"),
    [TX_ERR_CRYPTO] = N_("cryptographic library failure"),
    [TX_ERR_INTERNAL] = N_("internal error"),
};

const char *
tx_strerror(int code)
{
    if (code < 0 || code >= TX_ERR_COUNT_ || messages[code] == 0) {
        return _("unknown error");
    }
    return _(messages[code]);
}
