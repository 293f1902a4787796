/* The limits check in front of every signature the client makes. */
#include "tx_sign.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_msg.h"
#include "tx_outgoing.h"

#include <stdlib.h>

int
tx_sign_checked(const tx_identity *id, int kind, const ProtobufCMessage *msg, const char *what,
                uint8_t **out, size_t *out_len)
{
    char why[256] = "";
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc;

    *out = NULL;
    if ((rc = tx_pack(msg, &buf, &len)) != TX_OK ||
        (rc = tx_outgoing_check_packed(kind, msg, buf, len, why, sizeof why)) != TX_OK) {
        free(buf);
        return tx_fail(rc, "%s: %s: nothing was signed or sent",
                       what != NULL ? what : tx_kind_name(kind), why);
    }
    rc = tx_envelope_sign(id, kind, buf, len, out, out_len);
    free(buf);
    return rc;
}
