/* The names and words of credential schemes and statuses, one table that the judgement
 * (client/verify/tx_cred.c), the acceptance policy and the reports share. */
#include "tx_cred_words.h"

#include "tx_i18n.h"

#include <string.h>

const char *const tx_cred_schemes[TX_CRED_SCHEME_COUNT] = {"tics", "isms", "tisax", "pmark",
                                                               "audit"};

const char *const tx_cred_statuses[TX_CRED_COUNT_] = {
    "valid",           "listed",           "declared",          "report_due",
    "applied",         "under_audit",      "not_yet_valid",     "expired",
    "stale",           "suspended",        "revoked",           "not_accredited",
    "holder_mismatch", "invalid_criteria", "register_mismatch", "evidence_failed",
    "unavailable"};

static const char *const scheme_labels[TX_CRED_SCHEME_COUNT] = {
    N_("TICS"), N_("ISMS"), N_("TISAX"), N_("Privacy Mark"), N_("third-party audit report")};

/* The words of verify, the report and the web UI for each status; "Valid" without the note
 * tx_cred_status_label adds ("signed by the body"), as a policy names a status whoever signed. */
static const char *const status_labels[TX_CRED_COUNT_] = {N_("Valid"),
                                                                  N_("Listed in a public register"),
                                                                  N_("Declared by the supplier"),
                                                                  N_("Periodic report due"),
                                                                  N_("Applied for"),
                                                                  N_("Under audit"),
                                                                  N_("Not yet valid"),
                                                                  N_("Expired"),
                                                                  N_("Periodic report overdue"),
                                                                  N_("Suspended"),
                                                                  N_("Revoked"),
                                                                  N_("Body not accredited"),
                                                                  N_("Holder mismatch"),
                                                                  N_("Invalid criteria version"),
                                                                  N_("Register mismatch"),
                                                                  N_("Evidence failed"),
                                                                  N_("Unavailable")};

int
tx_cred_scheme_find(const char *name)
{
    for (int i = 0; i < TX_CRED_SCHEME_COUNT; i++) {
        if (strcmp(name, tx_cred_schemes[i]) == 0) {
            return i;
        }
    }
    return -1;
}

int
tx_cred_status_find(const char *name)
{
    for (int i = 0; i < TX_CRED_COUNT_; i++) {
        if (strcmp(name, tx_cred_statuses[i]) == 0) {
            return i;
        }
    }
    return -1;
}

static const char *
label(const char *msgid, int en)
{
    int was = en ? tx_i18n_english(1) : 0;
    const char *s = _(msgid);

    if (en) {
        tx_i18n_english(was);
    }
    return s;
}

const char *
tx_cred_scheme_word(int scheme, int en)
{
    return scheme >= 0 && scheme < TX_CRED_SCHEME_COUNT ? label(scheme_labels[scheme], en) : "-";
}

const char *
tx_cred_status_word(int status, int en)
{
    return status >= 0 && status < TX_CRED_COUNT_ ? label(status_labels[status], en) : "-";
}
