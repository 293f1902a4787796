/* Signer keys to the organisations (and, with member records, the members) that a history
 * names. */
#include "tx_signer_name.h"

#include "tx_error.h"
#include "tx_json.h"
#include "tx_util.h"

#include <stdlib.h>
#include <string.h>

struct tx_signer_body {
    uint8_t key[TX_KEY_LEN];
    char name[TX_NAME_MAX];
};

int
tx_signers_load(tx_home *home, tx_signers *out)
{
    memset(out, 0, sizeof *out);
    return tx_orgs_from_cache(home, &out->orgs);
}

int
tx_signers_add_body(tx_signers *s, const uint8_t key[TX_KEY_LEN], const char *name)
{
    tx_signer_body *grown;

    for (size_t i = 0; i < s->n_bodies; i++) {
        if (memcmp(s->bodies[i].key, key, TX_KEY_LEN) == 0) {
            return TX_OK;
        }
    }
    if ((grown = realloc(s->bodies, (s->n_bodies + 1) * sizeof *grown)) == NULL) {
        return TX_ERR_NOMEM;
    }
    s->bodies = grown;
    memcpy(grown[s->n_bodies].key, key, TX_KEY_LEN);
    tx_utf8_copy(grown[s->n_bodies].name, sizeof grown[s->n_bodies].name, name != NULL ? name : "");
    s->n_bodies++;
    return TX_OK;
}

void
tx_signer_describe(const tx_signers *s, const uint8_t key[TX_KEY_LEN], tx_signer *out)
{
    const tx_org *o = tx_orgs_by_key(&s->orgs, key);

    memset(out, 0, sizeof *out);
    memcpy(out->org, key, TX_KEY_LEN);
    tx_fingerprint(key, out->fingerprint);
    if (o != NULL) {
        tx_utf8_copy(out->name, sizeof out->name, o->name);
        return;
    }
    for (size_t i = 0; i < s->n_bodies; i++) {
        if (memcmp(s->bodies[i].key, key, TX_KEY_LEN) == 0) {
            tx_utf8_copy(out->name, sizeof out->name, s->bodies[i].name);
            return;
        }
    }
}

json_t *
tx_signer_json(const tx_signer *who)
{
    return json_pack("{s:o,s:s,s:o}", "name", who->name[0] ? json_string(who->name) : json_null(),
                     "fingerprint", who->fingerprint, "member",
                     who->member[0] ? json_string(who->member) : json_null());
}

void
tx_signers_free(tx_signers *s)
{
    tx_orgs_free(&s->orgs);
    free(s->bodies);
    memset(s, 0, sizeof *s);
}
