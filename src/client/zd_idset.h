/*-------------------------------------------------------------------------
 *
 * zd_idset.h
 *		  A compact set of 64-bit record ids: the ids a scan has returned.
 *
 * 8 bytes an id, in sorted runs merged like a binary counter, so adding is
 * amortized O(log n) and a lookup is a few binary searches.  A scan adds
 * every id it returns and looks up only the few records that may be repeats
 * (a page boundary's repeated second, records changed during the scan).
 * No PostgreSQL header; malloc'd.
 *
 * IDENTIFICATION
 *		  src/client/zd_idset.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef ZD_IDSET_H
#define ZD_IDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ZdIdSet ZdIdSet;

extern ZdIdSet *zd_idset_create(void);
extern void zd_idset_destroy(ZdIdSet *set);
extern bool zd_idset_add(ZdIdSet *set, int64_t id);
extern bool zd_idset_contains(const ZdIdSet *set, int64_t id);
extern size_t zd_idset_count(const ZdIdSet *set);
extern size_t zd_idset_bytes(const ZdIdSet *set);

#endif							/* ZD_IDSET_H */
