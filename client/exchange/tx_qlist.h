/* The questionnaires a buyer can ask for without asking the hub: the built-in ones and every
 * questionnaire record in the home's cache (each verified), as the request wizard lists them.
 * JSON: {"questionnaires": [{"ref","id","version","title":{"ja","en"},"items","builtin",
 * "record"}]} (ref: what `request --questionnaire` takes), built-in ones first. */
#ifndef TX_QLIST_H
#define TX_QLIST_H

#include "tx_home.h"

#include <jansson.h>

/* Caller owns *out. TX_ERR_NOMEM or the cache's listing error. */
int tx_qlist_json(tx_home *home, json_t **out);

#endif
