/* bb-server-exchange-log.h: every request and answer as JSON Lines, for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _BbExchangeLog BbExchangeLog;

/* Opens @path for appending (created if missing). NULL with @error set
 * when it cannot be opened. */
BbExchangeLog *bb_exchange_log_open   (const char         *path,
                                       GError            **error);
void           bb_exchange_log_free   (BbExchangeLog      *log);
/* Appends one line for the finished @msg. @route is the path template the
 * server matched (NULL: none); @request_body what the server read of the
 * body (NULL: none, or not kept). */
void           bb_exchange_log_append (BbExchangeLog      *log,
                                       SoupServerMessage  *msg,
                                       const char         *route,
                                       GBytes             *request_body);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BbExchangeLog, bb_exchange_log_free)

G_END_DECLS
