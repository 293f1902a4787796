/* Signing and publishing a public register read on a date (ticsx register import). */
#include "tx_register_pub.h"

#include "tx_codec.h"
#include "tx_envelope.h"
#include "tx_error.h"
#include "tx_i18n.h"
#include "tx_kinds.h"
#include "tx_msg.h"
#include "tx_rpc.h"
#include "tx_sign.h"
#include "tx_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
tx_register_list_valid(const char *list)
{
    size_t n = strlen(list);

    if (n == 0 || n > 63) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = list[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) {
            return 0;
        }
    }
    return 1;
}

int
tx_register_sign(const tx_identity *me, uint64_t seq, const tx_register_args *a,
                 const tx_register_rows *rows, uint8_t **env, size_t *len)
{
    tx_register_pb r = TICSX__V1__REGISTER__INIT;
    tx_meta_pb meta = TICSX__V1__META__INIT;
    tx_local_text_pb title = TICSX__V1__LOCAL_TEXT__INIT;
    const char *list = a->list != NULL ? a->list : "tics-certified";
    int bodies = strcmp(list, "tics-bodies") == 0;
    tx_envelope_pb *e = NULL;
    ProtobufCMessage *back = NULL;
    int rc;

    *env = NULL;
    if (!tx_register_list_valid(list)) {
        return tx_fail(TX_ERR_USAGE,
                       "--list %s: a list name is 1 to 63 of a-z, 0-9 and -, e.g. tics-certified",
                       list);
    }
    meta.seq = seq;
    meta.created = tx_now();
    r.meta = &meta;
    r.list = (char *)list;
    title.ja = (char *)(a->title_ja != NULL ? a->title_ja
                        : bodies            ? "技術情報管理認証 認証機関一覧"
                                 : "技術情報管理認証 認証取得事業者一覧");
    title.en = (char *)(a->title_en != NULL ? a->title_en
                        : bodies            ? "TICS accredited certification bodies"
                                            : "TICS certified organisations");
    r.title = &title;
    r.source = (char *)(a->source != NULL
                            ? a->source
                            : "METI web page: Technology Information Management Certification "
                              "System (技術情報管理認証制度)");
    r.as_of = a->as_of != 0 ? a->as_of : tx_now() / 86400 * 86400;
    r.entries = rows->v;
    r.n_entries = rows->n;
    if ((rc = tx_sign_checked(me, TX_KIND_REGISTER, &r.base, "register", env, len)) != TX_OK) {
        return rc;
    }
    if ((rc = tx_envelope_open_as(*env, *len, TX_KIND_REGISTER, &e, &back)) != TX_OK) {
        rc = tx_fail(TX_ERR_USAGE, "the register would be refused: %s", tx_codec_detail());
        free(*env);
        *env = NULL;
    }
    tx_free(back);
    tx_free(e);
    return rc;
}

int
tx_register_make(tx_client *c, const tx_register_args *a, const tx_register_rows *rows, int publish,
                 uint8_t **env, size_t *len, uint8_t id[TX_ID_LEN])
{
    tx_home *home = tx_client_home(c);
    uint64_t seq;
    int rc;

    *env = NULL;
    if ((rc = tx_seq_take(tx_home_dir(home), 1, &seq)) != TX_OK ||
        (rc = tx_register_sign(tx_client_id(c), seq, a, rows, env, len)) != TX_OK) {
        return rc;
    }
    tx_record_id(*env, *len, id);
    if (publish) {
        if ((rc = tx_rpc_submit(c, 1, env, len)) == TX_OK) {
            rc = tx_home_cache_put(home, *env, *len, NULL);
        }
    }
    if (rc != TX_OK) {
        free(*env);
        *env = NULL;
    }
    return rc;
}
