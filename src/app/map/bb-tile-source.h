/* bb-tile-source.h: map tiles from the profile's tile server, kept on disk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <shumate/shumate.h>

G_BEGIN_DECLS

#define BB_TYPE_TILE_SOURCE (bb_tile_source_get_type ())
G_DECLARE_FINAL_TYPE (BbTileSource, bb_tile_source, BB, TILE_SOURCE, ShumateDataSource)

/* @url_template: "https://.../{z}/{x}/{y}.png"; @cache_dir: where tiles are
 * kept (a SQLite file there, shared by every source; each keeps its own
 * tiles by its template). */
BbTileSource *bb_tile_source_new             (const char   *url_template,
                                              const char   *cache_dir);
/* The default place: $XDG_CACHE_HOME/beatbook/tiles. (transfer full) */
char         *bb_tile_source_dup_default_cache_dir (void);

/* TRUE after a tile could not be fetched (no signal, server down) and was
 * shown from the disk instead, or not at all; FALSE again after a tile
 * was fetched. Notified. */
gboolean      bb_tile_source_get_offline     (BbTileSource *self);
/* Tiles asked of the server / served from the disk / not to be had. */
guint         bb_tile_source_get_n_fetched   (BbTileSource *self);
guint         bb_tile_source_get_n_from_cache (BbTileSource *self);
guint         bb_tile_source_get_n_missing   (BbTileSource *self);

G_END_DECLS
