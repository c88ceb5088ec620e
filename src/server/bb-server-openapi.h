/* bb-server-openapi.h: docs/openapi.yaml as JSON, compiled into the server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The OpenAPI description served at GET /api/v1/openapi.json, made from
 * docs/openapi.yaml at build time. (transfer full) */
GBytes *bb_server_openapi_json (void);

G_END_DECLS
