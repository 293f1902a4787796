/* The credentials this organisation declares (TICS, ISMS, TISAX, Privacy Mark, audit report),
 * kept in the home once and included in every answer: credentials/<ID>.json (0600) and its
 * document beside it, credentials/<ID>.pdf|.png|.jpg (0600), in credentials/ (0700). ID is the
 * credential's number with every byte outside [A-Za-z0-9._-] turned into '_' (or
 * SCHEME-STATE when it has no number yet). Only the home's owner reads them. */
#ifndef TX_CRED_STORE_H
#define TX_CRED_STORE_H

#include "tx_codec.h"
#include "tx_home.h"
#include "tx_keys.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* At most this many credentials in a home (and so in an answer). */
#define TX_CRED_MAX 64

/* A document may be at most this large (the evidence files' limit per file). */
#define TX_CRED_DOC_MAX (20u << 20)

/* A declared credential, with the Credential message's fields (proto/ticsx.proto). */
typedef struct {
    char id[96];     /* file stem in credentials/ */
    char scheme[16]; /* tics, isms, tisax, pmark, audit */
    char state[16];  /* certified, applied, under_audit */
    char number[128];
    char body[TX_NAME_MAX];
    char holder_name[TX_NAME_MAX];
    char corporate_number[16];
    char scope[512];
    char standard[128];
    int64_t issued, expires, last_report, expected; /* 0: none */
    char renews[128];
    char document[128];  /* its document's file name in credentials/, "" when none */
    char media_type[32]; /* of the document */
} tx_cred_decl;

/* A credential file is at most this large. */
#define TX_CRED_JSON_MAX 65536

/* Parses a credential file's bytes (at most TX_CRED_JSON_MAX; `path` names it in messages):
 * every member checked (strings fit and are UTF-8, dates YYYY-MM-DD, id/scheme/state present,
 * the document a plain file name). TX_ERR_MALFORMED or TX_ERR_TOO_LARGE with a message. */
int tx_cred_parse(const uint8_t *b, size_t len, const char *path, tx_cred_decl *c);

/* The media type of a document from its first bytes: "application/pdf", "image/png",
 * "image/jpeg", or NULL for anything else. */
const char *tx_cred_media_type(const uint8_t *b, size_t len);

/* The id a credential gets (see above) into out (96 bytes). */
void tx_cred_make_id(const tx_cred_decl *c, char *out, size_t n);

/* Stores c (its id set here) and copies the document at doc_path (may be NULL) beside it.
 * TX_ERR_EXISTS when a credential with that id is there already (remove it first);
 * TX_ERR_USAGE for a document that is not PDF, PNG or JPEG by its bytes; TX_ERR_TOO_LARGE past
 * TX_CRED_DOC_MAX; TX_ERR_IO. */
int tx_cred_save(tx_home *home, tx_cred_decl *c, const char *doc_path);

/* Every declared credential, ordered by id. Caller owns *v (free). A damaged file is an error
 * naming it (TX_ERR_MALFORMED). */
int tx_cred_load_all(tx_home *home, tx_cred_decl **v, size_t *n);

/* The credential whose id or number is `key`: TX_ERR_NOT_FOUND naming `credential list`. */
int tx_cred_find(tx_home *home, const char *key, tx_cred_decl *out);

/* Removes a credential and its document. TX_ERR_NOT_FOUND. */
int tx_cred_remove(tx_home *home, const char *key);

/* Path of c's document in the home (TX_ERR_NOT_FOUND, no message, when it has none). */
int tx_cred_doc_path(tx_home *home, const tx_cred_decl *c, char *out, size_t n);

/* {"id","scheme","state","number","body","holder_name","corporate_number","scope","standard",
 * "issued","expires","last_report","expected","renews","document","media_type"}: strings or
 * null, dates YYYY-MM-DD or null. Caller owns. */
json_t *tx_cred_decl_json(const tx_cred_decl *c);

/* Points pb's fields at c's strings (pb lives no longer than c); its evidence names c's
 * document (evidence_slot receives the pointer array pb->evidence uses, one element). */
void tx_cred_to_pb(const tx_cred_decl *c, tx_credential_pb *pb, char **evidence_slot);

#endif
