/* Making TICS trust records: the accreditor's Accreditation of a certification body, the
 * body's Certificate for an organisation, and the body's CertificateEvents (annual report
 * received, suspended, reinstated, revoked). The sign_* functions build and sign one record
 * and check it with the strict codec, so what they return is what every hub and client
 * accepts; the other functions are the flows behind `ticsx accredit` and `ticsx cert`. */
#ifndef TX_CERT_ISSUE_H
#define TX_CERT_ISSUE_H

#include "tx_cert_judge.h"
#include "tx_client.h"

#include <stddef.h>
#include <stdint.h>

#define TX_MAX_SCOPES 32

/* True for a sector name: 1 to 63 of a-z, 0-9 and '-' (e.g. "manufacturing",
 * "aerospace-defence", "sme"). "all" is a sector name only in accreditation scopes. */
int tx_cert_sector_valid(const char *s);

/* Splits "all" or "S1,S2,..." into scopes (pointers into `s`, which is modified); checks each.
 * TX_ERR_USAGE with a message otherwise. */
int tx_cert_split_scopes(char *s, const char **scopes, size_t *n);

/* Signs an Accreditation of `body_key` (named body_name) for `scopes` in [from, until).
 * TX_ERR_USAGE (message) for a bad argument. Caller owns *env (free). */
int tx_cert_sign_accreditation(const tx_identity *accreditor, uint64_t seq,
                               const uint8_t body_key[TX_KEY_LEN], const char *body_name,
                               const char *const *scopes, size_t n_scopes, int64_t from,
                               int64_t until, const char *note, uint8_t **env, size_t *len);

/* Signs a Certificate: c's fields without meta (number, holder key/name, corporate number,
 * scope, sector, criteria version, issued, expires; expires 0 = three years after issue).
 * TX_ERR_USAGE (message) when a field is wrong: an expiry more than three years after issue,
 * a corporate number with a bad check digit, criteria other than 2018 or 2024, ...
 * Caller owns *env (free). */
int tx_cert_sign_certificate(const tx_identity *body, uint64_t seq, const tx_certificate_pb *c,
                             uint8_t **env, size_t *len);

/* Signs a CertificateEvent of `kind` (TICSX__V1__CERT_EVENT_KIND__*) for certificate `cert`. */
int tx_cert_sign_event(const tx_identity *body, uint64_t seq, const uint8_t cert[TX_ID_LEN],
                       int kind, int64_t effective, const char *note, uint8_t **env, size_t *len);

/* "annual report", "suspended", "reinstated", "revoked". */
const char *tx_cert_event_name(int kind);

typedef struct {
    const char *body; /* ORG: name, fingerprint or key id of an enrolled organisation */
    char *scopes;     /* "all" or "S1,S2" (modified); NULL with withdraw: keep */
    int64_t from;     /* 0 with withdraw: keep */
    int64_t until;    /* with withdraw: 0 = now */
    int withdraw;     /* move the current accreditation's end to `until` */
    const char *note;
} tx_accredit_args;

/* Accredits (or withdraws) a body: signs by this organisation and submits. *id receives the
 * record id, *out (may be NULL) the body's name. */
int tx_accredit(tx_client *c, const tx_accredit_args *a, uint8_t id[TX_ID_LEN], char *body_name,
                size_t n);

typedef struct {
    const char *holder; /* ORG */
    const char *number;
    const char *scope;
    const char *sector;
    uint32_t criteria;
    int64_t issued;
    int64_t expires; /* 0 = three years after issue */
    const char *renews; /* NULL, or the certificate (number or record id prefix) it renews */
} tx_cert_issue_args;

/* Issues a certificate to an enrolled organisation, taking its key, legal name and corporate
 * number from its verified profile; refuses a number this body already used, an issue date
 * the TICS criteria rule refuses (tx_tics_criteria_ok), and a renewal of a certificate that
 * another body issued, that another organisation holds, or that was not issued earlier. */
int tx_cert_issue(tx_client *c, const tx_cert_issue_args *a, uint8_t id[TX_ID_LEN],
                  tx_cert_info *info);

/* Records an event on a certificate this body issued (CERT: number or record id prefix);
 * refuses what the certificate's current state does not allow (an event on a revoked
 * certificate, a reinstatement of one not suspended). effective 0 = now. */
int tx_cert_record_event(tx_client *c, const char *cert, int kind, int64_t effective,
                         const char *note, uint8_t id[TX_ID_LEN], tx_cert_info *info);

/* The certificate an assessment of this organisation references: `arg` NULL picks the newest
 * certificate held by this organisation on the hub that is in force now (not revoked, suspended
 * or expired by its issuer's events and dates; by issue date, then hub order), warning when a
 * newer one is passed over or none is in force (then none is referenced); none if there is
 * none or the hub does not list certificates. "none" picks none, else a number or record id
 * prefix that must be held by this organisation (one not in force is taken, with a warning).
 * *has is 0 for none. number (may be NULL) receives the certificate number. In a member's home
 * the organisation is the one the home acts for (tx_home_org). */
int tx_cert_pick_own(tx_client *c, const char *arg, uint8_t id[TX_ID_LEN], int *has, char *number,
                     size_t n);

#endif
