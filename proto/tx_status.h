/* The wire statuses of a Reply (ticsx.proto's Status) in one table, shared by the hub and the
 * client: each status's name, the tx_err code it stands for, and the words a user reads. The
 * hub's messages carry only the detail; whoever shows a refusal puts the status words in front
 * once (tx_status_text). */
#ifndef TX_STATUS_H
#define TX_STATUS_H

#include "ticsx.pb-c.h"

/* The generated Status under the names product code uses; what each means is said in
 * ticsx.proto and, for a user, by tx_status_text. */
#define TX_STATUS_OK TICSX__V1__STATUS__OK
#define TX_STATUS_BAD_REQUEST TICSX__V1__STATUS__BAD_REQUEST
#define TX_STATUS_BAD_SIGNATURE TICSX__V1__STATUS__BAD_SIGNATURE
#define TX_STATUS_NOT_ENROLLED TICSX__V1__STATUS__NOT_ENROLLED
#define TX_STATUS_NOT_FOUND TICSX__V1__STATUS__NOT_FOUND
#define TX_STATUS_REPLAY TICSX__V1__STATUS__REPLAY
#define TX_STATUS_MISSING_REFERENCE TICSX__V1__STATUS__MISSING_REFERENCE
#define TX_STATUS_FORBIDDEN TICSX__V1__STATUS__FORBIDDEN
#define TX_STATUS_TOO_LARGE TICSX__V1__STATUS__TOO_LARGE
#define TX_STATUS_STORAGE_FULL TICSX__V1__STATUS__STORAGE_FULL
#define TX_STATUS_BUSY TICSX__V1__STATUS__BUSY
#define TX_STATUS_INTERNAL TICSX__V1__STATUS__INTERNAL
#define TX_STATUS_COUNT_ (TX_STATUS_INTERNAL + 1)

/* The status's name as on the wire, lower case ("bad_request"); "unknown" outside the enum.
 * Static. */
const char *tx_status_name(int status);

/* What a user reads for the status ("bad request"); "unknown status" outside the enum. Static. */
const char *tx_status_text(int status);

/* The tx_err code a status stands for (TX_OK for OK, TX_ERR_INTERNAL outside the enum). */
int tx_status_err(int status);

/* The status that reports a tx_err code (several codes share one; unknown codes: INTERNAL). */
int tx_err_status(int code);

#endif
