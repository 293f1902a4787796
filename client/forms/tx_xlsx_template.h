/* The XLSX answer template (libxlsxwriter): one row per item on the first worksheet,
 * "answers": item, area, level, weight, the item text in the chosen language, answer and
 * comment, with a frozen header, readable column widths, wrapped texts and a drop-down list on
 * every answer cell offering the scale's labels (in that language) and its codes; a second
 * worksheet, "suppliers", lists the supplier's own suppliers (name, supplies, key: a key, a
 * fingerprint or key id, or a legal name on the hub); a third, "scale", explains each choice.
 * tx_answers_load reads it back. */
#ifndef TX_XLSX_TEMPLATE_H
#define TX_XLSX_TEMPLATE_H

#include "tx_codec.h"

/* Writes the answer template of q to `path` (which libxlsxwriter creates or replaces: the
 * caller chooses a fresh path). Texts and drop-down labels in Japanese when ja. `qref` (may be
 * "") is the questionnaire record id, noted on the scale sheet. TX_ERR_IO with a message. */
int tx_xlsx_template(const char *path, const tx_questionnaire_pb *q, int ja, const char *qref);

#endif
