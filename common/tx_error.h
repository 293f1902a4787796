/* One error enum for all of ticsx, with tx_strerror(). Foreign codes (errno, LMDB, ZeroMQ,
 * libsodium) are translated into these once, where the call is made. */
#ifndef TX_ERROR_H
#define TX_ERROR_H

typedef enum {
    TX_OK = 0,
    TX_ERR_USAGE,          /* bad arguments from the command line or a caller */
    TX_ERR_IO,             /* a file could not be read or written; errno says more */
    TX_ERR_NOMEM,
    TX_ERR_PERM,           /* a secret file is readable by group or others */
    TX_ERR_EXISTS,         /* refusing to overwrite */
    TX_ERR_NOT_FOUND,
    TX_ERR_TOO_LARGE,      /* input over its size cap */
    TX_ERR_TRUNCATED,      /* input ended early */
    TX_ERR_MALFORMED,      /* input does not parse */
    TX_ERR_WRONG_TYPE,     /* a payload of another kind than expected */
    TX_ERR_BAD_UTF8,       /* a string is not valid UTF-8 or holds a NUL */
    TX_ERR_BAD_KEY,        /* a key or key file is not usable */
    TX_ERR_CHECKSUM,       /* a key file's checksum does not match */
    TX_ERR_BAD_SIGNATURE,  /* signature does not verify */
    TX_ERR_WRONG_KEY,      /* signed or sealed for another key */
    TX_ERR_DECRYPT,        /* ciphertext does not open */
    TX_ERR_NOT_ENROLLED,
    TX_ERR_REPLAY,         /* sequence number not above the last accepted */
    TX_ERR_MISSING_REF,    /* a referenced record is absent */
    TX_ERR_FORBIDDEN,
    TX_ERR_STORAGE_FULL,
    TX_ERR_STORAGE,        /* LMDB failed otherwise */
    TX_ERR_NET,            /* ZeroMQ failed */
    TX_ERR_UNREACHABLE,    /* the hub did not answer in time */
    TX_ERR_BUSY,
    TX_ERR_REFUSED,        /* the hub answered with a refusal */
    TX_ERR_LOCKED,         /* another process holds the data directory */
    TX_ERR_CRYPTO,         /* libsodium failed to initialise or generate */
    TX_ERR_INTERNAL,
    TX_ERR_COUNT_
} tx_err;

/* Short lowercase description of a code. Never NULL. */
const char *tx_strerror(int code);

#endif
