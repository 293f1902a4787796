/* What a sender checks before it signs: the limits table, the packed size, then the reader's
 * own decoder on the packed bytes. */
#include "tx_outgoing.h"

#include "tx_codec.h"
#include "tx_error.h"
#include "tx_limits.h"

#include <stdio.h>
#include <stdlib.h>

int
tx_outgoing_check_packed(int kind, const ProtobufCMessage *m, const uint8_t *buf, size_t len,
                       char *why, size_t n)
{
    ProtobufCMessage *back = NULL;
    char a[32], b[32];
    int rc;

    if ((rc = tx_limits_walk(m, why, n)) != TX_OK) {
        return rc;
    }
    if (len > tx_limit_payload(kind)) {
        snprintf(why, n, "the %s is %s bytes, at most %s", tx_kind_name(kind), tx_limit_num(len, a),
                 tx_limit_num(tx_limit_payload(kind), b));
        return TX_ERR_TOO_LARGE;
    }
    rc = tx_decode_kind(kind, buf, len, &back);
    tx_free(back);
    if (rc != TX_OK) {
        snprintf(why, n, "%s", tx_codec_detail());
    }
    return rc;
}

int
tx_outgoing_check(int kind, const ProtobufCMessage *m, char *why, size_t n)
{
    uint8_t *buf;
    size_t len;
    int rc;

    why[0] = 0;
    if ((rc = tx_pack(m, &buf, &len)) != TX_OK) {
        return rc;
    }
    rc = tx_outgoing_check_packed(kind, m, buf, len, why, n);
    free(buf);
    return rc;
}
