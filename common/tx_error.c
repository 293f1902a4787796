/* Descriptions for the tx_err codes. */
#include "tx_error.h"

static const char *const messages[TX_ERR_COUNT_] = {
    [TX_OK] = "ok",
    [TX_ERR_USAGE] = "usage error",
    [TX_ERR_IO] = "input/output error",
    [TX_ERR_NOMEM] = "out of memory",
    [TX_ERR_PERM] = "file permissions too open",
    [TX_ERR_EXISTS] = "already exists",
    [TX_ERR_NOT_FOUND] = "not found",
    [TX_ERR_TOO_LARGE] = "input too large",
    [TX_ERR_TRUNCATED] = "input truncated",
    [TX_ERR_MALFORMED] = "malformed input",
    [TX_ERR_WRONG_TYPE] = "wrong payload type",
    [TX_ERR_BAD_UTF8] = "string is not valid utf-8 or contains nul",
    [TX_ERR_BAD_KEY] = "bad key",
    [TX_ERR_CHECKSUM] = "checksum mismatch",
    [TX_ERR_BAD_SIGNATURE] = "signature verification failed",
    [TX_ERR_WRONG_KEY] = "made for another key",
    [TX_ERR_DECRYPT] = "decryption failed",
    [TX_ERR_NOT_ENROLLED] = "not enrolled",
    [TX_ERR_REPLAY] = "replay or rollback: sequence number not above the last accepted",
    [TX_ERR_MISSING_REF] = "referenced record not found",
    [TX_ERR_FORBIDDEN] = "forbidden",
    [TX_ERR_STORAGE_FULL] = "storage full",
    [TX_ERR_STORAGE] = "storage error",
    [TX_ERR_NET] = "network error",
    [TX_ERR_UNREACHABLE] = "hub unreachable",
    [TX_ERR_BUSY] = "busy",
    [TX_ERR_REFUSED] = "refused by hub",
    [TX_ERR_LOCKED] = "data directory in use by another process",
    [TX_ERR_CRYPTO] = "cryptographic library failure",
    [TX_ERR_INTERNAL] = "internal error",
};

const char *
tx_strerror(int code)
{
    if (code < 0 || code >= TX_ERR_COUNT_ || messages[code] == 0) {
        return "unknown error";
    }
    return messages[code];
}
