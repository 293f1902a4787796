/* The limits check in front of every signature the client makes. */
#include "tx_sign.h"

#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_limits.h"
#include "tx_msg.h"

int
tx_sign_checked(const tx_identity *id, int kind, const ProtobufCMessage *msg, const char *what,
                uint8_t **out, size_t *out_len)
{
    char why[256];
    int rc;

    *out = NULL;
    if ((rc = tx_limits_check_record(kind, msg, why, sizeof why)) != TX_OK) {
        return tx_fail(rc, "%s: %s: nothing was signed or sent",
                       what != NULL ? what : tx_kind_name(kind), why);
    }
    return tx_envelope_sign_msg(id, kind, msg, out, out_len);
}
