/* The table of wire statuses: name, tx_err mapping and user text, one row each. */
#include "tx_status.h"

#include "tx_error.h"

static const struct {
    const char *name;
    int err;
    const char *text;
} statuses[TX_STATUS_COUNT_] = {
    [TX_STATUS_OK] = {"ok", TX_OK, "ok"},
    [TX_STATUS_BAD_REQUEST] = {"bad_request", TX_ERR_MALFORMED, "bad request"},
    [TX_STATUS_BAD_SIGNATURE] = {"bad_signature", TX_ERR_BAD_SIGNATURE, "bad signature"},
    [TX_STATUS_NOT_ENROLLED] = {"not_enrolled", TX_ERR_NOT_ENROLLED, "not enrolled"},
    [TX_STATUS_NOT_FOUND] = {"not_found", TX_ERR_NOT_FOUND, "not found"},
    [TX_STATUS_REPLAY] = {"replay", TX_ERR_REPLAY, "replayed"},
    [TX_STATUS_MISSING_REFERENCE] = {"missing_reference", TX_ERR_MISSING_REF, "missing reference"},
    [TX_STATUS_FORBIDDEN] = {"forbidden", TX_ERR_FORBIDDEN, "forbidden"},
    [TX_STATUS_TOO_LARGE] = {"too_large", TX_ERR_TOO_LARGE, "too large"},
    [TX_STATUS_STORAGE_FULL] = {"storage_full", TX_ERR_STORAGE_FULL, "hub storage full"},
    [TX_STATUS_BUSY] = {"busy", TX_ERR_BUSY, "busy"},
    [TX_STATUS_INTERNAL] = {"internal", TX_ERR_INTERNAL, "internal error"},
};

/* Codes reported by a status other than the one whose row names them. */
static const struct {
    int err;
    int status;
} also[] = {
    {TX_ERR_USAGE, TX_STATUS_BAD_REQUEST},    {TX_ERR_TRUNCATED, TX_STATUS_BAD_REQUEST},
    {TX_ERR_BAD_UTF8, TX_STATUS_BAD_REQUEST}, {TX_ERR_WRONG_TYPE, TX_STATUS_BAD_REQUEST},
    {TX_ERR_EXISTS, TX_STATUS_FORBIDDEN},
};

static int
known(int status)
{
    return status >= 0 && status < TX_STATUS_COUNT_;
}

const char *
tx_status_name(int status)
{
    return known(status) ? statuses[status].name : "unknown";
}

const char *
tx_status_text(int status)
{
    return known(status) ? statuses[status].text : "unknown status";
}

int
tx_status_err(int status)
{
    return known(status) ? statuses[status].err : TX_ERR_INTERNAL;
}

int
tx_err_status(int code)
{
    for (int s = 0; s < TX_STATUS_COUNT_; s++) {
        if (statuses[s].err == code) {
            return s;
        }
    }
    for (size_t i = 0; i < sizeof also / sizeof also[0]; i++) {
        if (also[i].err == code) {
            return also[i].status;
        }
    }
    return TX_STATUS_INTERNAL;
}
