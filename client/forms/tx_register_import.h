/* Reading a public list of certified organisations (METI's list of TICS-certified organisations
 * as a user saves it from METI's page) or of accredited bodies into register entries: CSV
 * (UTF-8 with or without a byte order mark, or Shift_JIS/CP932 as Excel writes it) or the HTML
 * table, bounded and strict: the header row must name known columns, every row must fill the
 * required ones, and a refusal names the line and the expected columns. */
#ifndef TX_REGISTER_IMPORT_H
#define TX_REGISTER_IMPORT_H

#include "tx_wire.h"

#include <stddef.h>
#include <stdint.h>

#define TX_REGISTER_FILE_MAX (4u << 20) /* bytes of the file as saved */
#define TX_REGISTER_ROWS_MAX 5000u      /* organisations in one list */
#define TX_REGISTER_CELL_MAX 1024u      /* bytes of one cell, after decoding */

/* The columns (header text; Japanese as METI's table has it, or the English key):
 *   事業者名 holder_name   法人番号 corporate_number   認証番号 number   認証機関 body
 *   認証範囲 scope         分野 sectors               認証日/認定日 issued   有効期限 expires
 *   備考 note              所在地 address (read and ignored)
 * A "tics-certified" list needs 事業者名, 認証番号 and 認証機関; a "tics-bodies" list needs
 * 認証機関 (the body, its holder name) and 認証範囲. Dates: YYYY-MM-DD, YYYY/M/D, YYYY年M月D日,
 * 令和N年M月D日 or 平成N年M月D日 (元年 too). A corporate number must have its check digit. */
typedef struct {
    tx_register_entry_pb **v; /* each and its strings malloc'd */
    size_t n;
    int html; /* the file was an HTML table */
    int sjis; /* the file was Shift_JIS/CP932 */
} tx_register_rows;

/* Parses `data` (a file's bytes; `source` names it in messages) for list `list`.
 * TX_ERR_MALFORMED / TX_ERR_USAGE / TX_ERR_TOO_LARGE / TX_ERR_BAD_UTF8 with a message
 * "SOURCE line N: what is wrong; expected columns: ..."; nothing is returned then.
 * Caller owns out (tx_register_rows_free). */
int tx_register_parse(const uint8_t *data, size_t len, const char *source, const char *list,
                      tx_register_rows *out);

void tx_register_rows_free(tx_register_rows *rows);

/* Parses one date as the columns take it (above) into unix seconds (midnight UTC). 0 / -1. */
int tx_register_parse_date(const char *s, int64_t *out);

#endif
