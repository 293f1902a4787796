/* Drafts of answers, kept in the home and resumable. */
#include "tx_ui_app.h"
