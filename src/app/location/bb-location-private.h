/* bb-location-private.h: what the location sources share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bb-location-source.h"

G_BEGIN_DECLS

/* Returns the one wording of @code's reason on @task. */
void     bb_location_task_return_error (GTask            *task,
                                        BbLocationError   code);
/* Keeps @task until it is answered, times out (TIMED_OUT after
 * bb_location_get_timeout_seconds()) or is cancelled; then calls @stop. */
void     bb_location_task_wait         (GTask            *task,
                                        GDestroyNotify    stop,
                                        gpointer          stop_data);
/* The first answer wins: a position, or (@location NULL) the error @code. */
void     bb_location_task_answer       (GTask            *task,
                                        const BbLocation *location,
                                        int               code);
gboolean bb_location_task_is_answered  (GTask            *task);
gboolean bb_location_task_finish       (GAsyncResult     *result,
                                        BbLocation       *location,
                                        GError          **error);

G_END_DECLS
