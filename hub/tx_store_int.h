/* Internals shared by the store's write side (tx_store.c), its read side (tx_store_read.c)
 * and its Merkle log (tx_mlog.c), whose nodes and checkpoints are written in the store's
 * transactions. Not for use outside the store's files and their tests. */
#ifndef TX_STORE_INT_H
#define TX_STORE_INT_H

#include "tx_codec.h"
#include "tx_keys.h"
#include "tx_note.h"
#include "tx_store.h"
#include "tx_store_file.h"

#include <lmdb.h>
#include <stdatomic.h>
#include <sys/types.h>

/* Key layouts. access: reader | kind | index; public: kind | index; log keys: index;
 * grantees: assessment index | reader (the access entries of assessments, turned around). */
#define TX_IDX_LEN 8
#define TX_ACCESS_KEY_LEN (TX_KEY_LEN + 1 + TX_IDX_LEN)
#define TX_GRANTEES_KEY_LEN (TX_IDX_LEN + TX_KEY_LEN)
#define TX_PUBLIC_KEY_LEN (1 + TX_IDX_LEN)
#define TX_IDS_VAL_LEN (TX_IDX_LEN + 1)
/* superseders: superseded assessment index | superseding assessment index. */
#define TX_SUPERSEDERS_KEY_LEN (2 * TX_IDX_LEN)
#define TX_SUPERSEDERS_BUILT "built" /* marker key: superseders covers the whole log */
/* evidence: chunk index | index of a sealed assessment listing it (SealedAssessment.evidence). */
#define TX_EVIDENCE_KEY_LEN (2 * TX_IDX_LEN)

/* The log keeps an envelope in parts of at most TX_LOG_PART bytes under index | part (2 bytes,
 * big-endian), so records share leaf pages: a value too big for a leaf gets whole overflow
 * pages of its own (a 2.5 KB assessment would take 4 KiB). Appended in key order, leaf pages
 * fill up; 8 full parts fit one 4 KiB page. Environments written before keep index -> the
 * whole envelope; both are read. */
#define TX_LOG_PART 490
#define TX_LOG_KEY_LEN (TX_IDX_LEN + 2)

struct tx_store {
    MDB_env *env;
    MDB_dbi log;        /* index -> envelope bytes as received */
    MDB_dbi ids;        /* record id -> index | kind */
    MDB_dbi seqs;       /* signer -> last accepted seq */
    MDB_dbi transports; /* CURVE key -> signer (the ZAP allow-list) */
    MDB_dbi members;    /* signer -> index of its current profile */
    MDB_dbi access;     /* reader | kind | index -> empty */
    MDB_dbi pub;        /* kind | index -> empty */
    MDB_dbi grantees;   /* assessment index | reader -> empty: who may read an assessment */
    MDB_dbi nodes;      /* level | index -> Merkle subtree hash (tx_mlog.c) */
    MDB_dbi meta;       /* "checkpoint" -> the latest signed checkpoint;
                           "cosig:" | witness key -> its newest cosignature (tx_mlog.c) */
    /* superseders: old assessment index | index of one superseding it -> empty */
    MDB_dbi superseders;
    int superseders_absent; /* read-only open of an older environment: not there yet */
    /* evidence: chunk index | sealed assessment index -> empty: who may read a chunk */
    MDB_dbi evidence;
    int evidence_absent;       /* read-only open of an environment older than it */
    const tx_identity *signer; /* signs checkpoints at commit; NULL: none (borrowed) */
    off_t tail_to;             /* data.mdb is pre-written with zeros up to here (tx_store.c) */
    /* The checkpoints' origin line (tx_store_set_signer). */
    char origin[TX_NOTE_NAME_MAX + 1];
    char dir[4096];            /* the data directory (DIR/checkpoint.signed goes there) */
    /* DIR/checkpoint.signed, kept open by the one thread that records at a time (tx_round.c:
     * the writer's signing thread, or the loop while that is idle). */
    tx_signed_file signed_file;
    /* Set once when a check found the store damaged: tx_store_begin refuses from then on. */
    char refusal[600];
    _Atomic int refusing;
    /* The last record in checkpoint.signed failed (tx_store_signed_note): the database may hold
     * a checkpoint the file does not, so writes are refused and no checkpoint is served until a
     * record succeeds. */
    _Atomic int signed_failing;
    _Atomic uint64_t signed_failures; /* records that failed since the store was opened */
    /* Threads other than the caller's may hold transactions (tx_store_defer_remap): a map grown
     * by another process is adopted only by tx_store_adopt_map. */
    int defer_remap;
    atomic_int remap_wanted; /* a begin met such a map while remaps were deferred */
};

struct tx_batch {
    tx_store *s;
    MDB_txn *txn;
    uint64_t base; /* last index committed before the batch */
    uint64_t last; /* last index including this batch's appends */
    int err;       /* sticky: after a failed put the transaction is dead */
    int signed_cp; /* the batch signed a checkpoint of signed_size records with signed_root */
    uint64_t signed_size;
    uint8_t signed_root[32];
};

struct tx_view {
    tx_store *s;
    MDB_txn *txn;
};

void tx_be64_put(uint8_t out[TX_IDX_LEN], uint64_t v);
uint64_t tx_be64_get(const uint8_t in[TX_IDX_LEN]);

/* Translates an LMDB (or errno) code into a tx_err once, logging what failed. */
int tx_store_err(int rc, const char *what);

/* Begins a transaction, adopting a map grown by another process (MDB_MAP_RESIZED). */
/* Takes in the result rc of a record in checkpoint.signed (of `size` records) and returns it: a
 * failure refuses writes and checkpoints from now on (logged once, with the path and errno),
 * a success lifts that (logged). */
int tx_store_signed_note(tx_store *s, int rc, uint64_t size);

int tx_store_txn_begin(tx_store *s, unsigned flags, MDB_txn **txn);

/* Last key of the log in txn, 0 when empty. */
int tx_store_last_in(tx_store *s, MDB_txn *txn, uint64_t *last);

/* Inside a batch: passes rc on, and a failure other than "not found" kills the batch. */
int tx_batch_read_rc(tx_batch *b, int rc);

/* mdb_put in the batch's transaction; a failure kills the batch (the transaction cannot be
 * used after a failed put). */
int tx_batch_put(tx_batch *b, MDB_dbi dbi, const void *key, size_t klen, const void *val,
                 size_t vlen, unsigned flags, const char *what);

/* Appends the envelope at `index` to the log in parts (MDB_APPEND: index is past the last). */
int tx_log_append(tx_batch *b, uint64_t index, const uint8_t *env, size_t len);

/* Copies the envelope at `index` out of txn into a fresh buffer. TX_ERR_NOT_FOUND when absent,
 * TX_ERR_STORAGE when its parts are damaged. Caller owns *env (free). */
int tx_log_read(tx_store *s, MDB_txn *txn, uint64_t index, uint8_t **env, size_t *len);

/* Looks an id up in txn: TX_ERR_NOT_FOUND when absent. */
int tx_store_lookup_in(tx_store *s, MDB_txn *txn, const uint8_t id[TX_ID_LEN], uint64_t *index,
                       int *kind);

/* The log index of the assessment a payload supersedes (`replaced`: tx_kind_replaced): *old is
 * 0 when replaced is NULL, or when it names no stored assessment (never accepted so; the check
 * reports it). */
int tx_store_superseded(tx_store *s, MDB_txn *txn, const uint8_t *replaced, uint64_t *old);

/* tx_batch_person in any transaction of the store (tx_store_people.c). */
int tx_store_person_in(tx_store *s, MDB_txn *txn, int by, const uint8_t key[TX_KEY_LEN],
                       tx_person *out);

/* True when signing keys a and b act for the same organisation: equal, or the organisation of
 * a person (tx_store_people.c) is the other or the same as the other's. */
int tx_store_same_org(tx_store *s, MDB_txn *txn, const uint8_t a[TX_KEY_LEN],
                      const uint8_t b[TX_KEY_LEN]);

/* ---- the Merkle log's write side (tx_mlog.c), run in the store's transactions ---- */

/* Stores the leaf hash of the record just appended at log index `index` and every perfect
 * subtree it completes (combining upward while the new node is a right child): O(1)
 * amortised. A failure kills the batch; TX_ERR_STORAGE if earlier nodes are missing. */
int tx_mlog_append(tx_batch *b, uint64_t index, const uint8_t leaf[32]);

/* When the store has a signer and the latest checkpoint does not cover the batch's log, signs
 * a checkpoint of it (time = max(the previous one's, now)) and stores it as the latest, in the
 * batch's transaction, so it commits with the records it covers (tx_batch_commit). TX_ERR_STORAGE
 * if the log is shorter than the latest checkpoint (history lost: nothing is signed). */
int tx_mlog_checkpoint_batch(tx_batch *b);

/* Fills `nodes` for log entries it does not cover yet (a data directory written before the
 * Merkle log existed), in transactions of 65536 leaves; called by tx_store_open. *filled gets
 * the number of leaves added. */
int tx_mlog_fill(tx_store *s, uint64_t *filled);

#endif
