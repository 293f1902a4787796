/* The organisation a home acts for: its own key, or in a member's home the signer of the
 * organisation's profile kept beside the member's keys. */
#include "tx_home.h"

#include "tx_error.h"
#include "tx_msg.h"
#include "tx_rec.h"
#include "tx_util.h"

#include <stdlib.h>
#include <string.h>

int
tx_home_org(tx_home *home, uint8_t org[TX_KEY_LEN], int *is_member)
{
    char path[4096];
    tx_rec rec = {0};
    uint8_t *buf;
    size_t len;
    int rc;

    tx_path_join(path, sizeof path, tx_home_dir(home), TX_HOME_ORG_PROFILE);
    memcpy(org, tx_home_identity(home)->pub.sign, TX_KEY_LEN);
    *is_member = 0;
    rc = tx_file_read(path, TX_MAX_ENVELOPE, &buf, &len);
    if (rc == TX_ERR_NOT_FOUND) {
        return TX_OK;
    }
    if (rc != TX_OK) {
        return tx_fail(rc, "cannot read %s", path);
    }
    if ((rc = tx_rec_open(&rec, buf, len, TX_KIND_PROFILE)) != TX_OK) {
        tx_rec_clear(&rec);
        return tx_fail(rc,
                       "%s is not a signed organisation profile: copy profile.tx from the "
                       "organisation's home again",
                       path);
    }
    memcpy(org, tx_rec_signer(&rec), TX_KEY_LEN);
    *is_member = 1;
    tx_rec_clear(&rec);
    return TX_OK;
}
